import type { Generated, Kysely } from "kysely";
/**
 * Row types of the tables Delvia's own code queries. better-auth's tables keep its camelCase
 * column names; Delvia's tables are snake_case. Timestamps come back as ISO text on SQLite and
 * as Date on PostgreSQL: read them through `toIso`.
 */
export type Timestamp = string | Date;
export type Bool = number | boolean;

export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: Bool;
  image: string | null;
  twoFactorEnabled: Bool | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SessionTable {
  id: string;
  token: string;
  userId: string;
  expiresAt: Timestamp;
  activeOrganizationId: string | null;
}

export interface OrganizationTable {
  id: string;
  name: string;
  slug: string;
  logo: string | null;
  metadata: string | null;
  createdAt: Timestamp;
}

export interface MemberTable {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  createdAt: Timestamp;
}

export interface InvitationTable {
  id: string;
  organizationId: string;
  email: string;
  role: string | null;
  status: string;
  expiresAt: Timestamp;
  createdAt: Timestamp;
  inviterId: string;
}

export interface GuideFeedbackTable {
  guide_ref: string;
  day: string;
  yes: number;
  no: number;
}

export interface DB {
  user: UserTable;
  session: SessionTable;
  organization: OrganizationTable;
  member: MemberTable;
  invitation: InvitationTable;
  guide_feedback: GuideFeedbackTable;
  history: HistoryTable;
  history_ref: HistoryRefTable;
  record_organization: RecordOrganizationTable;
  person: PersonTable;
  person_email: PersonEmailTable;
  custom_platform: CustomPlatformTable;
  platform_account: PlatformAccountTable;
  platform_asset: PlatformAssetTable;
  shared_login: SharedLoginTable;
  shared_login_knower: SharedLoginKnowerTable;
  access_grant: AccessGrantTable;
  finding: FindingTable;
  finding_scan: FindingScanTable;
  guide_progress: GuideProgressTable;
  access_request: AccessRequestTable;
  change_plan: ChangePlanTable;
  plan_task: PlanTaskTable;
  account_change_rule: AccountChangeRuleTable;
  notification: NotificationTable;
  notification_setting: NotificationSettingTable;
  calendar_feed: CalendarFeedTable;
  scheduled_job: ScheduledJobTable;
  history_seal: HistorySealTable;
  sign_in_guard: SignInGuardTable;
  totp_use: TotpUseTable;
  access_review: AccessReviewTable;
  review_item: ReviewItemTable;
}

export interface AccessReviewTable {
  id: string;
  workspace_id: string;
  account_id: string;
  status: string;
  previous_review_id: string | null;
  started_by: string;
  started_at: Timestamp;
  completed_by: string | null;
  completed_at: Timestamp | null;
  notes: string | null;
}

export interface ReviewItemTable {
  id: string;
  workspace_id: string;
  review_id: string;
  position: number;
  grant_id: string | null;
  who: string;
  what: string;
  role: string;
  grant_status: string;
  change: string;
  previous_role: string | null;
  decision: string | null;
  new_role: string | null;
  note: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
}

export interface SignInGuardTable {
  email: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface TotpUseTable {
  user_id: string;
  code: string;
  used_at: Timestamp;
}

export interface HistorySealTable {
  workspace_id: string;
  sealed_at: Timestamp;
  seq: number | string;
  hash: string;
  mac: string;
}

export interface AccessRequestTable {
  id: string;
  workspace_id: string;
  direction: string;
  title: string;
  account_id: string;
  asset_ids: unknown;
  role: string;
  method: string;
  subject_type: string;
  subject_person_id: string | null;
  subject_account_id: string | null;
  invite_email: string | null;
  contact_name: string;
  contact_email: string | null;
  escalation_name: string | null;
  escalation_email: string | null;
  email_contact: Bool;
  due_on: string | null;
  status: string;
  reminder_days: unknown;
  sent_on: string | null;
  invited_on: string | null;
  accepted_on: string | null;
  verified_on: string | null;
  closed_on: string | null;
  status_note: string | null;
  grant_ids: unknown;
  owner_user_id: string | null;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ChangePlanTable {
  id: string;
  workspace_id: string;
  kind: string;
  title: string;
  subject: unknown;
  successor_person_id: string | null;
  status: string;
  due_on: string | null;
  recheck_on: string | null;
  last_check: unknown;
  owner_user_id: string | null;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface PlanTaskTable {
  id: string;
  workspace_id: string;
  plan_id: string;
  position: number;
  key: string;
  phase: string;
  kind: string;
  title: string;
  detail: string | null;
  account_id: string | null;
  guide: string | null;
  action: unknown;
  blocked_by: unknown;
  status: string;
  assignee_user_id: string | null;
  due_on: string | null;
  evidence: string | null;
  done_by: string | null;
  done_at: Timestamp | null;
}

export interface AccountChangeRuleTable {
  account_id: string;
  workspace_id: string;
  notify: string | null;
  remove_within_days: number | null;
  successor_person_id: string | null;
  notes: string | null;
  updated_at: Timestamp;
}

export interface NotificationTable {
  id: string;
  workspace_id: string;
  user_id: string;
  topic: string;
  key: string;
  title: string;
  body: string;
  link: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
  emailed_at: Timestamp | null;
}

export interface NotificationSettingTable {
  workspace_id: string;
  user_id: string;
  email: Bool;
  muted_topics: unknown;
  updated_at: Timestamp;
}

export interface CalendarFeedTable {
  token_hash: string;
  workspace_id: string;
  user_id: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface ScheduledJobTable {
  key: string;
  workspace_id: string;
  kind: string;
  payload: unknown;
  created_at: Timestamp;
  claimed_by: string | null;
  claimed_at: Timestamp | null;
  done_at: Timestamp | null;
  error: string | null;
}

export interface GuideProgressTable {
  workspace_id: string;
  user_id: string;
  guide_ref: string;
  context: string;
  done_steps: unknown;
  updated_at: Timestamp;
}

export interface FindingTable {
  workspace_id: string;
  key: string;
  rule: string;
  severity: string;
  account_id: string | null;
  asset_id: string | null;
  subject: unknown;
  message: string;
  guide: string | null;
  status: string;
  reason: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  snoozed_until: string | null;
  first_seen: Timestamp;
  resolved_at: Timestamp | null;
}

export interface FindingScanTable {
  workspace_id: string;
  history_head: number | string;
  as_of: string;
  /** How many stored scans changed a finding row (see migration 0019): part of `findingsVersion`. */
  rows_version: Generated<number | string>;
  /** How many stored scans changed which findings exist or a severity: part of `findingsVersion`. */
  counts_version: Generated<number | string>;
}

/** Whether a database (or transaction) runs on PostgreSQL rather than SQLite. */
export function isPostgres(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export function toIso(value: Timestamp): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export interface HistoryTable {
  workspace_id: string;
  seq: number | bigint | string;
  id: string;
  at: Timestamp;
  actor_user_id: string | null;
  actor_label: string;
  entity_type: string;
  entity_id: string;
  action: string;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

/** A history event listed under an account or person it concerns (see migration 0012). */
export interface HistoryRefTable {
  workspace_id: string;
  ref_id: string;
  seq: number | bigint | string;
}

interface RecordRow {
  id: string;
  workspace_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RecordOrganizationTable extends RecordRow {
  name: string;
  name_key: string;
  kind: string;
  notes: string | null;
}

export interface PersonTable extends RecordRow {
  name: string;
  organization_id: string | null;
  status: string;
  left_on: string | null;
  notes: string | null;
}

export interface PersonEmailTable {
  workspace_id: string;
  email: string;
  person_id: string;
}

export interface CustomPlatformTable extends RecordRow {
  key: string;
  name: string;
  definition: unknown;
}

export interface PlatformAccountTable extends RecordRow {
  platform: string;
  platform_id: string | null;
  name: string;
  name_key: string;
  organization_id: string;
  owner_person_id: string | null;
  backup_owner_person_id: string | null;
  review_cadence_days: number | null;
  last_reviewed_on: string | null;
  recovery_email_holder: string | null;
  two_factor_holder: string | null;
  notes: string | null;
}

export interface PlatformAssetTable extends RecordRow {
  account_id: string;
  organization_id: string;
  type: string;
  name: string;
  platform_id: string | null;
  notes: string | null;
}

export interface SharedLoginTable extends RecordRow {
  label: string;
  label_key: string;
  notes: string | null;
}

export interface SharedLoginKnowerTable {
  workspace_id: string;
  shared_login_id: string;
  person_id: string;
}

export interface AccessGrantTable extends RecordRow {
  subject_type: string;
  subject_person_id: string | null;
  subject_account_id: string | null;
  subject_shared_login_id: string | null;
  subject_name: string | null;
  target_account_id: string;
  target_asset_id: string | null;
  role: string;
  status: string;
  invited_on: string | null;
  granted_on: string | null;
  expires_on: string | null;
  revoked_on: string | null;
  granted_by: string | null;
  reason: string | null;
  source: string;
  last_verified_on: string | null;
  notes: string | null;
}
