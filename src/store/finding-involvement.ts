import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from "kysely";
import { type FindingsCatalog, hasDeparted, isLiveGrant, nameKey } from "../core/findings/rules.ts";
import { withGrantNames } from "./account-page.ts";
import type { StoredFinding } from "./findings.ts";
import type { AccessGrantTable, DB } from "./schema.ts";

/**
 * What the record shows behind one finding: the grants, people and account fields it is about,
 * read from the store by the finding's account, subject, shared login or organization (index
 * ranges, never the workspace's whole record). Each list is bounded: at most `INVOLVED_LIMIT`
 * items, with the total.
 */
export const INVOLVED_LIMIT = 50;

export interface InvolvedPerson {
  id: string;
  name: string;
  /** Has left by the day asked about (marked departed, or their leaving day has come). */
  departed: boolean;
}

export interface InvolvedGrant {
  id: string;
  subject: {
    type: "person" | "partner" | "shared_login" | "system_user";
    /** The person, partner account or shared login; null for a system user. */
    id: string | null;
    name: string;
    /** A person who has left (false for other subjects). */
    departed: boolean;
  };
  /** The account the grant is recorded in. */
  account: { id: string; name: string };
  asset: { id: string; name: string } | null;
  role: string;
  status: "active" | "pending" | "revoked";
  /** Active and not past its end date. */
  live: boolean;
  invitedOn: string | null;
  grantedOn: string | null;
  expiresOn: string | null;
}

export interface Listed<T> {
  /** How many there are in all; `items` holds at most `INVOLVED_LIMIT`. */
  total: number;
  items: T[];
}

/** A text field that names a person (recovery email or two-step holder), and whom it names. */
export interface NamedHolder {
  text: string;
  person: InvolvedPerson | null;
}

export interface FindingInvolvement {
  /**
   * The grants (not revoked) of the finding's subject on its account and the account's assets;
   * for a shared login known by someone who left, the login's.
   */
  grants: Listed<InvolvedGrant> | null;
  /** The shared login and the people recorded as knowing it. */
  knownBy: (Listed<InvolvedPerson> & { sharedLogin: { id: string; name: string } }) | null;
  /** The account-level grants (not revoked) of an admin-level role held by people. */
  admins: Listed<InvolvedGrant> | null;
  /** The outside organization's people with their own grants (not revoked) on the account. */
  outsiders: (Listed<InvolvedGrant> & { organization: { id: string; name: string } }) | null;
  /** Who controls the account: its owners and the holders of its recovery email and two-step verification. */
  control: {
    owner: InvolvedPerson | null;
    backupOwner: InvolvedPerson | null;
    recoveryEmailHolder: NamedHolder | null;
    twoFactorHolder: NamedHolder | null;
  } | null;
}

const NOTHING: FindingInvolvement = {
  grants: null,
  knownBy: null,
  admins: null,
  outsiders: null,
  control: null,
};

const SUBJECT_GRANTS_OF_LOGIN = new Set(["shared-login", "shared-login-known-by-departed"]);
const ADMIN_RULES = new Set(["no-admin", "single-admin", "too-many-admins"]);
const CONTROL_RULES = new Set([
  "owner-departed",
  "no-owner",
  "backup-owner-departed",
  "recovery-holder-departed",
]);

type Finding = Pick<StoredFinding, "key" | "rule" | "accountId" | "subject">;
type G = ExpressionBuilder<DB & { g: AccessGrantTable }, "g">;
type Where = (eb: G) => Expression<SqlBool>;

/** The parts of the record `finding` is about, as of `asOf` (see `FindingInvolvement`). */
export async function findingInvolvement(
  db: Kysely<DB>,
  workspaceId: string,
  finding: Finding,
  asOf: string,
  catalog: Pick<FindingsCatalog, "isAdminLevel">,
): Promise<FindingInvolvement> {
  const ws = workspaceId;
  const accountId = finding.accountId;
  if (!accountId) return NOTHING;
  const account = await db
    .selectFrom("platform_account")
    .select([
      "id",
      "platform",
      "owner_person_id",
      "backup_owner_person_id",
      "recovery_email_holder",
      "two_factor_holder",
    ])
    .where("workspace_id", "=", ws)
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!account) return NOTHING;
  const parts = finding.key.split(":");
  const out: FindingInvolvement = { ...NOTHING };

  // Whose grants: the shared login's for both shared-login rules, else the finding's subject.
  const login =
    finding.rule === "shared-login-known-by-departed"
      ? (parts[2] ?? null)
      : finding.subject?.type === "shared_login"
        ? finding.subject.id
        : null;
  const s = finding.subject;
  const bySubject: Where | null =
    login !== null
      ? (eb) => eb("g.subject_shared_login_id", "=", login)
      : s?.type === "person"
        ? (eb) => eb("g.subject_person_id", "=", s.id)
        : s?.type === "partner"
          ? (eb) => eb("g.subject_account_id", "=", s.id)
          : s?.type === "system_user"
            ? (eb) => eb("g.id", "=", s.id)
            : null;
  const work: Promise<unknown>[] = [];
  if (bySubject)
    work.push(
      listGrants(
        db,
        ws,
        asOf,
        (eb) =>
          eb.and([
            bySubject(eb),
            eb.or([
              eb("g.target_account_id", "=", accountId),
              eb(
                "g.target_asset_id",
                "in",
                eb
                  .selectFrom("platform_asset as h")
                  .select("h.id")
                  .where("h.workspace_id", "=", ws)
                  .where("h.account_id", "=", accountId),
              ),
            ]),
          ]),
        "place",
      ).then((l) => {
        out.grants = l;
      }),
    );
  if (login !== null && SUBJECT_GRANTS_OF_LOGIN.has(finding.rule))
    work.push(
      knowers(db, ws, asOf, login).then((k) => {
        out.knownBy = k;
      }),
    );
  if (ADMIN_RULES.has(finding.rule))
    work.push(
      admins(db, ws, asOf, account.id, account.platform, catalog).then((l) => {
        out.admins = l;
      }),
    );
  if (finding.rule === "external-individual-access" && parts[1])
    work.push(
      outsiders(db, ws, asOf, account.id, parts[1]).then((o) => {
        out.outsiders = o;
      }),
    );
  if (CONTROL_RULES.has(finding.rule))
    work.push(
      control(db, ws, asOf, account, finding).then((c) => {
        out.control = c;
      }),
    );
  await Promise.all(work);
  return out;
}

const departedOn = (asOf: string, p: { status: string; left_on: string | null }) =>
  hasDeparted({ status: p.status === "departed" ? "departed" : "active", leftOn: p.left_on }, asOf);

/**
 * Grants (not revoked) matching `where`, with their subject's, account's and asset's names: the
 * first `INVOLVED_LIMIT` in order ("place": account-level first, then by asset; "name": by the
 * subject's name), and how many there are.
 */
async function listGrants(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  where: Where,
  order: "place" | "name",
): Promise<Listed<InvolvedGrant>> {
  const filter: Where = (eb) => eb.and([where(eb), eb("g.status", "!=", "revoked")]);
  const [count, rows] = await Promise.all([
    db
      .selectFrom("access_grant as g")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("g.workspace_id", "=", ws)
      .where(filter)
      .executeTakeFirstOrThrow(),
    withGrantNames(db.selectFrom("access_grant as g").where("g.workspace_id", "=", ws).where(filter))
      .select([
        "g.id",
        "g.subject_type",
        "g.subject_person_id",
        "g.subject_account_id",
        "g.subject_shared_login_id",
        "g.subject_name",
        "g.target_account_id",
        "g.target_asset_id",
        "g.role",
        "g.status",
        "g.invited_on",
        "g.granted_on",
        "g.expires_on",
        "ta.name as account_name",
        "x.name as asset_name",
        "p.name as person_name",
        "p.status as person_status",
        "p.left_on as person_left_on",
        "pa.name as partner_name",
        "sl.label as login_label",
      ])
      .$call((q) =>
        order === "place"
          ? q
              .orderBy(sql`case when g.target_asset_id is null then 0 else 1 end`)
              .orderBy("ta.name")
              .orderBy("x.name")
              .orderBy("g.role")
          : q.orderBy("p.name").orderBy("g.role"),
      )
      .orderBy("g.id")
      .limit(INVOLVED_LIMIT)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => {
      const type = r.subject_type as InvolvedGrant["subject"]["type"];
      const status = r.status as InvolvedGrant["status"];
      return {
        id: r.id,
        subject: {
          type,
          id:
            type === "person"
              ? r.subject_person_id
              : type === "partner"
                ? r.subject_account_id
                : type === "shared_login"
                  ? r.subject_shared_login_id
                  : null,
          name:
            (type === "person"
              ? r.person_name
              : type === "partner"
                ? r.partner_name
                : type === "shared_login"
                  ? r.login_label
                  : r.subject_name) ?? "",
          departed:
            type === "person" &&
            r.person_status !== null &&
            departedOn(asOf, { status: r.person_status, left_on: r.person_left_on }),
        },
        account: { id: r.target_account_id, name: r.account_name },
        asset:
          r.target_asset_id && r.asset_name !== null ? { id: r.target_asset_id, name: r.asset_name } : null,
        role: r.role,
        status,
        live: isLiveGrant({ status, expiresOn: r.expires_on }, asOf),
        invitedOn: r.invited_on,
        grantedOn: r.granted_on,
        expiresOn: r.expires_on,
      };
    }),
  };
}

/** The people recorded as knowing a shared login, by name. */
async function knowers(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  loginId: string,
): Promise<FindingInvolvement["knownBy"]> {
  const [label, count, rows] = await Promise.all([
    db
      .selectFrom("shared_login")
      .select("label")
      .where("workspace_id", "=", ws)
      .where("id", "=", loginId)
      .executeTakeFirst(),
    db
      .selectFrom("shared_login_knower")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("workspace_id", "=", ws)
      .where("shared_login_id", "=", loginId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("shared_login_knower as k")
      .innerJoin("person as p", (j) =>
        j.onRef("p.workspace_id", "=", "k.workspace_id").onRef("p.id", "=", "k.person_id"),
      )
      .select(["p.id", "p.name", "p.status", "p.left_on"])
      .where("k.workspace_id", "=", ws)
      .where("k.shared_login_id", "=", loginId)
      .orderBy("p.name")
      .orderBy("p.id")
      .limit(INVOLVED_LIMIT)
      .execute(),
  ]);
  if (!label) return null;
  return {
    sharedLogin: { id: loginId, name: label.label },
    total: Number(count.n),
    items: rows.map((p) => ({ id: p.id, name: p.name, departed: departedOn(asOf, p) })),
  };
}

/**
 * The account-level grants of an admin-level role (as the catalog says) held by people: first the
 * account's distinct account-level roles (one index range), then the grants of the admin ones.
 */
async function admins(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  accountId: string,
  platform: string,
  catalog: Pick<FindingsCatalog, "isAdminLevel">,
): Promise<Listed<InvolvedGrant>> {
  const roles = (
    await db
      .selectFrom("access_grant")
      .select("role")
      .distinct()
      .where("workspace_id", "=", ws)
      .where("target_account_id", "=", accountId)
      .where("target_asset_id", "is", null)
      .execute()
  )
    .map((r) => r.role)
    .filter((role) => catalog.isAdminLevel(platform, role));
  if (roles.length === 0) return { total: 0, items: [] };
  return listGrants(
    db,
    ws,
    asOf,
    (eb) =>
      eb.and([
        eb("g.target_account_id", "=", accountId),
        eb("g.target_asset_id", "is", null),
        eb("g.role", "in", roles),
        eb("g.subject_type", "=", "person"),
      ]),
    "name",
  );
}

/** The people of an outside organization with their own grants on the account. */
async function outsiders(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  accountId: string,
  organizationId: string,
): Promise<FindingInvolvement["outsiders"]> {
  const org = await db
    .selectFrom("record_organization")
    .select(["id", "name"])
    .where("workspace_id", "=", ws)
    .where("id", "=", organizationId)
    .executeTakeFirst();
  if (!org) return null;
  const list = await listGrants(
    db,
    ws,
    asOf,
    (eb) =>
      eb.and([
        eb("g.target_account_id", "=", accountId),
        eb("g.subject_type", "=", "person"),
        eb(
          "g.subject_person_id",
          "in",
          eb
            .selectFrom("person as o")
            .select("o.id")
            .where("o.workspace_id", "=", ws)
            .where("o.organization_id", "=", organizationId),
        ),
      ]),
    "name",
  );
  return { organization: { id: org.id, name: org.name }, ...list };
}

/** The account's owner, backup owner and the people its recovery and two-step holder texts name. */
async function control(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  account: {
    owner_person_id: string | null;
    backup_owner_person_id: string | null;
    recovery_email_holder: string | null;
    two_factor_holder: string | null;
  },
  finding: Finding,
): Promise<FindingInvolvement["control"]> {
  const ids = [account.owner_person_id, account.backup_owner_person_id].filter((x): x is string => !!x);
  const people = new Map(
    ids.length
      ? (
          await db
            .selectFrom("person")
            .select(["id", "name", "status", "left_on"])
            .where("workspace_id", "=", ws)
            .where("id", "in", ids)
            .execute()
        ).map((p) => [p.id, { id: p.id, name: p.name, departed: departedOn(asOf, p) }])
      : [],
  );
  const holder = async (text: string | null): Promise<NamedHolder | null> => {
    if (!text?.trim()) return null;
    return { text, person: await personNamed(db, ws, asOf, text, finding) };
  };
  const [recoveryEmailHolder, twoFactorHolder] = await Promise.all([
    holder(account.recovery_email_holder),
    holder(account.two_factor_holder),
  ]);
  return {
    owner: (account.owner_person_id && people.get(account.owner_person_id)) || null,
    backupOwner: (account.backup_owner_person_id && people.get(account.backup_owner_person_id)) || null,
    recoveryEmailHolder,
    twoFactorHolder,
  };
}

/**
 * The person a holder text names (their name or one of their emails, trimmed, case-insensitive:
 * `nameKey`): the finding's own subject when it is named, else someone who has left (as the rules
 * read it), else anyone, the first by ID. A few candidates are read by the database's own lower
 * case, then compared as the rules compare them.
 */
async function personNamed(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  text: string,
  finding: Finding,
): Promise<InvolvedPerson | null> {
  const key = nameKey(text);
  const [byName, byEmail] = await Promise.all([
    db
      .selectFrom("person")
      .select(["id", "name", "status", "left_on"])
      .where("workspace_id", "=", ws)
      .where(sql<boolean>`lower(trim(name)) = lower(${text.trim()})`)
      .orderBy("id")
      .limit(20)
      .execute(),
    db
      .selectFrom("person_email as e")
      .innerJoin("person as p", (j) =>
        j.onRef("p.workspace_id", "=", "e.workspace_id").onRef("p.id", "=", "e.person_id"),
      )
      .select(["p.id", "p.name", "p.status", "p.left_on", "e.email"])
      .where("e.workspace_id", "=", ws)
      .where(sql<boolean>`lower(trim(e.email)) = lower(${text.trim()})`)
      .orderBy("p.id")
      .limit(20)
      .execute(),
  ]);
  const found = new Map<string, InvolvedPerson>();
  for (const p of [
    ...byName.filter((p) => nameKey(p.name) === key),
    ...byEmail.filter((e) => nameKey(e.email) === key),
  ])
    found.set(p.id, { id: p.id, name: p.name, departed: departedOn(asOf, p) });
  const list = [...found.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return (
    (finding.subject?.type === "person" && list.find((p) => p.id === finding.subject!.id)) ||
    list.find((p) => p.departed) ||
    list[0] ||
    null
  );
}
