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
}

export function toIso(value: Timestamp): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
