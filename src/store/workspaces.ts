import { type Kysely, sql } from "kysely";
import { AppError, conflict, notFound } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import { isWorkspaceRole, type WorkspaceRole } from "../core/workspace-roles.ts";
import type { DB } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

/**
 * Workspaces are better-auth organizations; members and invitations live in its tables.
 * Delvia writes them here, in transactions, after its own policy check in the route.
 */
export interface WorkspaceSummary {
  id: string;
  slug: string;
  name: string;
  role: WorkspaceRole;
}

export interface MemberView {
  id: string;
  userId: string;
  email: string;
  name: string;
  role: WorkspaceRole;
  joinedAt: string;
}

export interface InvitationView {
  id: string;
  workspaceId: string;
  email: string;
  role: WorkspaceRole;
  status: "pending" | "accepted" | "canceled" | "rejected" | "expired";
  expiresAt: string;
  inviterEmail: string;
  inviterName: string;
}

const role = (r: string | null): WorkspaceRole => (isWorkspaceRole(r) ? r : "viewer");

export async function countUsers(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom("user")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listWorkspacesOf(db: Kysely<DB>, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db
    .selectFrom("member")
    .innerJoin("organization", "organization.id", "member.organizationId")
    .select(["organization.id", "organization.slug", "organization.name", "member.role"])
    .where("member.userId", "=", userId)
    .orderBy("organization.name")
    .execute();
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, role: role(r.role) }));
}

export async function getWorkspace(db: Kysely<DB>, workspaceId: string) {
  const row = await db
    .selectFrom("organization")
    .select(["id", "slug", "name"])
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  if (!row) throw notFound("Workspace");
  return row;
}

export async function createWorkspace(
  db: Kysely<DB>,
  input: { name: string; slug: string; ownerUserId: string; now: Date },
): Promise<WorkspaceSummary> {
  return inTransaction(db, async (trx) => {
    const taken = await trx
      .selectFrom("organization")
      .select("id")
      .where("slug", "=", input.slug)
      .executeTakeFirst();
    if (taken)
      throw new AppError("CONFLICT", `The address "${input.slug}" is taken: choose another slug.`, {
        problems: [{ path: "slug", message: "already taken" }],
      });
    const id = uuidv7(input.now.getTime());
    const at = input.now.toISOString();
    await trx
      .insertInto("organization")
      .values({ id, name: input.name, slug: input.slug, logo: null, metadata: null, createdAt: at })
      .execute();
    await trx
      .insertInto("member")
      .values({
        id: uuidv7(input.now.getTime()),
        organizationId: id,
        userId: input.ownerUserId,
        role: "owner",
        createdAt: at,
      })
      .execute();
    return { id, slug: input.slug, name: input.name, role: "owner" as const };
  });
}

export async function renameWorkspace(db: Kysely<DB>, workspaceId: string, name: string): Promise<void> {
  await db.updateTable("organization").set({ name }).where("id", "=", workspaceId).execute();
}

export async function listMembers(db: Kysely<DB>, workspaceId: string): Promise<MemberView[]> {
  const rows = await db
    .selectFrom("member")
    .innerJoin("user", "user.id", "member.userId")
    .select(["member.id", "member.userId", "user.email", "user.name", "member.role", "member.createdAt"])
    .where("member.organizationId", "=", workspaceId)
    .orderBy("user.name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    email: r.email,
    name: r.name,
    role: role(r.role),
    joinedAt: toIso(r.createdAt),
  }));
}

export async function getMember(db: Kysely<DB>, workspaceId: string, memberId: string): Promise<MemberView> {
  const members = await listMembers(db, workspaceId);
  const m = members.find((x) => x.id === memberId);
  if (!m) throw notFound("Member");
  return m;
}

async function ownerCount(trx: Kysely<DB>, workspaceId: string): Promise<number> {
  const row = await trx
    .selectFrom("member")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("organizationId", "=", workspaceId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Change a member's role; the last owner can never be demoted (checked inside the transaction). */
export async function changeMemberRole(
  db: Kysely<DB>,
  workspaceId: string,
  memberId: string,
  next: WorkspaceRole,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockWorkspace(trx, workspaceId);
    const m = await trx
      .selectFrom("member")
      .select(["role"])
      .where("id", "=", memberId)
      .where("organizationId", "=", workspaceId)
      .executeTakeFirst();
    if (!m) throw notFound("Member");
    if (m.role === "owner" && next !== "owner" && (await ownerCount(trx, workspaceId)) <= 1) {
      throw conflict("This is the workspace's only owner: make someone else an owner first.");
    }
    await trx.updateTable("member").set({ role: next }).where("id", "=", memberId).execute();
  });
}

/** Remove a member (or let them leave); the last owner cannot go. */
export async function removeMember(db: Kysely<DB>, workspaceId: string, memberId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockWorkspace(trx, workspaceId);
    const m = await trx
      .selectFrom("member")
      .select(["role"])
      .where("id", "=", memberId)
      .where("organizationId", "=", workspaceId)
      .executeTakeFirst();
    if (!m) throw notFound("Member");
    if (m.role === "owner" && (await ownerCount(trx, workspaceId)) <= 1) {
      throw conflict(
        "This is the workspace's only owner, who cannot leave: make someone else an owner first.",
      );
    }
    await trx.deleteFrom("member").where("id", "=", memberId).execute();
  });
}

/**
 * Serialise membership changes of one workspace. SQLite already runs one writer at a time; on
 * PostgreSQL two concurrent demotions could otherwise each see another owner and both succeed.
 */
async function lockWorkspace(trx: Kysely<DB>, workspaceId: string): Promise<void> {
  const isPg = isPostgres(trx);
  if (isPg) await sql`select id from organization where id = ${workspaceId} for no key update`.execute(trx);
}

function invitationStatus(status: string, expiresAt: string, now: Date): InvitationView["status"] {
  if (status === "pending" && new Date(expiresAt).getTime() <= now.getTime()) return "expired";
  if (status === "accepted" || status === "canceled" || status === "rejected" || status === "pending")
    return status;
  return "canceled";
}

function invitationQuery(db: Kysely<DB>) {
  return db
    .selectFrom("invitation")
    .innerJoin("user as inviter", "inviter.id", "invitation.inviterId")
    .select([
      "invitation.id",
      "invitation.organizationId",
      "invitation.email",
      "invitation.role",
      "invitation.status",
      "invitation.expiresAt",
      "inviter.email as inviterEmail",
      "inviter.name as inviterName",
    ]);
}

type InvitationRow = Awaited<ReturnType<ReturnType<typeof invitationQuery>["executeTakeFirstOrThrow"]>>;

function toInvitation(r: InvitationRow, now: Date): InvitationView {
  const expiresAt = toIso(r.expiresAt);
  return {
    id: r.id,
    workspaceId: r.organizationId,
    email: r.email,
    role: role(r.role),
    status: invitationStatus(r.status, expiresAt, now),
    expiresAt,
    inviterEmail: r.inviterEmail,
    inviterName: r.inviterName,
  };
}

export async function listInvitations(
  db: Kysely<DB>,
  workspaceId: string,
  now: Date,
): Promise<InvitationView[]> {
  const rows = await invitationQuery(db)
    .where("invitation.organizationId", "=", workspaceId)
    .where("invitation.status", "=", "pending")
    .orderBy("invitation.createdAt", "desc")
    .execute();
  return rows.map((r) => toInvitation(r, now));
}

export async function findInvitation(
  db: Kysely<DB>,
  invitationId: string,
  now: Date,
): Promise<InvitationView | null> {
  const r = await invitationQuery(db).where("invitation.id", "=", invitationId).executeTakeFirst();
  return r ? toInvitation(r, now) : null;
}

/** Invite by email. A new invitation to the same email replaces the pending one. */
export async function createInvitation(
  db: Kysely<DB>,
  input: {
    workspaceId: string;
    email: string;
    role: WorkspaceRole;
    inviterId: string;
    now: Date;
    lifetimeSeconds: number;
  },
): Promise<InvitationView> {
  const email = input.email.trim().toLowerCase();
  const id = await inTransaction(db, async (trx) => {
    const already = await trx
      .selectFrom("member")
      .innerJoin("user", "user.id", "member.userId")
      .select("member.id")
      .where("member.organizationId", "=", input.workspaceId)
      .where(sql`lower(${sql.ref("user.email")})`, "=", email)
      .executeTakeFirst();
    if (already)
      throw new AppError("CONFLICT", `${email} is already a member of this workspace.`, {
        problems: [{ path: "email", message: "already a member" }],
      });
    await trx
      .updateTable("invitation")
      .set({ status: "canceled" })
      .where("organizationId", "=", input.workspaceId)
      .where("email", "=", email)
      .where("status", "=", "pending")
      .execute();
    const id = uuidv7(input.now.getTime());
    await trx
      .insertInto("invitation")
      .values({
        id,
        organizationId: input.workspaceId,
        email,
        role: input.role,
        status: "pending",
        expiresAt: new Date(input.now.getTime() + input.lifetimeSeconds * 1000).toISOString(),
        createdAt: input.now.toISOString(),
        inviterId: input.inviterId,
      })
      .execute();
    return id;
  });
  const view = await findInvitation(db, id, input.now);
  if (!view) throw new Error("invitation vanished after insert");
  return view;
}

export async function cancelInvitation(
  db: Kysely<DB>,
  workspaceId: string,
  invitationId: string,
): Promise<void> {
  const r = await db
    .updateTable("invitation")
    .set({ status: "canceled" })
    .where("id", "=", invitationId)
    .where("organizationId", "=", workspaceId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw notFound("Pending invitation");
}

/** Accept an invitation as the signed-in user, whose email must be the invited one. */
export async function acceptInvitation(
  db: Kysely<DB>,
  input: { invitationId: string; userId: string; email: string; now: Date },
): Promise<WorkspaceSummary> {
  return inTransaction(db, async (trx) => {
    const inv = await findInvitation(trx, input.invitationId, input.now);
    if (!inv) throw notFound("Invitation");
    if (inv.status === "expired") throw conflict("This invitation has expired: ask for a new one.");
    if (inv.status !== "pending")
      throw conflict(`This invitation was ${inv.status === "accepted" ? "already accepted" : "cancelled"}.`);
    if (inv.email !== input.email.trim().toLowerCase()) {
      throw new AppError(
        "FORBIDDEN",
        `This invitation is for ${inv.email}; you are signed in as ${input.email}. Sign in with the invited address.`,
      );
    }
    const member = await trx
      .selectFrom("member")
      .select("id")
      .where("organizationId", "=", inv.workspaceId)
      .where("userId", "=", input.userId)
      .executeTakeFirst();
    if (!member) {
      await trx
        .insertInto("member")
        .values({
          id: uuidv7(input.now.getTime()),
          organizationId: inv.workspaceId,
          userId: input.userId,
          role: inv.role,
          createdAt: input.now.toISOString(),
        })
        .execute();
    }
    await trx.updateTable("invitation").set({ status: "accepted" }).where("id", "=", inv.id).execute();
    const ws = await trx
      .selectFrom("organization")
      .select(["id", "slug", "name"])
      .where("id", "=", inv.workspaceId)
      .executeTakeFirstOrThrow();
    const m = await trx
      .selectFrom("member")
      .select("role")
      .where("organizationId", "=", inv.workspaceId)
      .where("userId", "=", input.userId)
      .executeTakeFirstOrThrow();
    return { ...ws, role: role(m.role) };
  });
}
