import type { Kysely } from "kysely";
import { getPlatform, type PlatformDef, resolveRole } from "../core/catalog/index.ts";
import { AppError } from "../core/errors.ts";
import { type ComposedMessage, composeRequestMessage } from "../core/requests/compose.ts";
import type { RequestInput, RequestView } from "../core/requests/schemas.ts";
import * as record from "../store/record.ts";
import type { DB } from "../store/schema.ts";
import type { GuideLibrary } from "./guides/load.ts";
import { checkRecordInput } from "./record-policy.ts";

/** A platform by key: the catalog's, or a workspace's own (any role, no partner mechanism). */
export function platformDef(key: string): PlatformDef {
  return (
    getPlatform(key) ?? {
      key,
      name: key,
      container: "Account",
      custom: true,
      accountRoles: [],
      assetTypes: [],
      partner: null,
      invitationLifetimeDays: null,
      guides: {},
    }
  );
}

export const lifetimeOf = (platform: string) => getPlatform(platform)?.invitationLifetimeDays ?? null;

/**
 * Check a request against the record and the catalog, and fill in what can be derived: the
 * role's canonical name at every level it applies to, the invitation address from the person's
 * record, and a title when none was given.
 */
export async function prepareRequest(
  db: Kysely<DB>,
  workspaceId: string,
  raw: RequestInput,
): Promise<RequestInput & { title: string }> {
  const input = checkRecordInput(raw);
  const account = await record.getAccount(db, workspaceId, input.accountId).catch(() => {
    throw new AppError("VALIDATION_FAILED", `Account ${input.accountId} is not in this workspace.`, {
      problems: [{ path: "accountId", message: "no such account in this workspace" }],
    });
  });
  const platform = getPlatform(account.platform);
  let role = input.role;
  if (platform) {
    const levels = new Set<string>();
    if (input.assetIds.length === 0) levels.add("account");
    for (const assetId of input.assetIds) {
      const asset = await record.getAsset(db, workspaceId, assetId).catch(() => null);
      if (asset) levels.add(asset.type);
    }
    for (const level of levels) {
      const r = resolveRole(platform, level, input.role);
      if (!r.ok)
        throw new AppError("VALIDATION_FAILED", r.message, {
          problems: [{ path: "role", message: `valid roles: ${r.valid.join(", ")}` }],
        });
      role = r.role.name;
    }
  }
  let subjectName = "";
  let inviteEmail = input.inviteEmail;
  if (input.subject.type === "person") {
    const person = await record.getPerson(db, workspaceId, input.subject.personId).catch(() => {
      throw new AppError(
        "VALIDATION_FAILED",
        `Person ${input.subject.type === "person" ? input.subject.personId : ""} is not in this workspace.`,
        {
          problems: [{ path: "subject.personId", message: "no such person in this workspace" }],
        },
      );
    });
    subjectName = person.name;
    inviteEmail ??= person.emails[0] ?? null;
  } else {
    const partner = await record.getAccount(db, workspaceId, input.subject.accountId).catch(() => {
      throw new AppError("VALIDATION_FAILED", "The partner account is not in this workspace.", {
        problems: [{ path: "subject.accountId", message: "no such account in this workspace" }],
      });
    });
    if (partner.platform !== account.platform)
      throw new AppError(
        "VALIDATION_FAILED",
        `A partner must be on the same platform: ${partner.name} is on ${platformDef(partner.platform).name}.`,
        {
          problems: [
            { path: "subject.accountId", message: `must be a ${platformDef(account.platform).name} account` },
          ],
        },
      );
    if (platform && !platform.partner)
      throw new AppError(
        "VALIDATION_FAILED",
        `${platform.name} has no partner connections: ask for an invitation to a named person instead.`,
        {
          problems: [{ path: "subject", message: "use a person on this platform" }],
        },
      );
    subjectName = partner.name;
  }
  const title = input.title || `${role} on ${account.name} for ${subjectName}`;
  const escalationName = input.escalationName || input.escalationEmail;
  return { ...input, role, inviteEmail, title, escalationName };
}

/** The canonical role for one grant target of a request (asset levels may name the role differently). */
export async function roleResolver(db: Kysely<DB>, workspaceId: string, r: RequestView) {
  const platform = getPlatform(r.platform);
  const types = new Map<string, string>();
  for (const id of r.assetIds) {
    const asset = await record.getAsset(db, workspaceId, id).catch(() => null);
    if (asset) types.set(id, asset.type);
  }
  return (t: { accountId: string; assetId: string | null }) => {
    if (!platform) return r.role;
    const res = resolveRole(platform, t.assetId ? (types.get(t.assetId) ?? "account") : "account", r.role);
    return res.ok ? res.role.name : r.role;
  };
}

/** Compose the message for the admin who grants the access, from the record, catalog and guides. */
export async function requestMessage(
  db: Kysely<DB>,
  library: GuideLibrary | undefined,
  publicUrl: string,
  workspaceId: string,
  r: RequestView,
  sender: { name: string; organization: string },
): Promise<ComposedMessage & { guide: string | null }> {
  const platform = platformDef(r.platform);
  const account = await record.getAccount(db, workspaceId, r.accountId);
  const assets = await Promise.all(
    r.assetIds.map((id) => record.getAsset(db, workspaceId, id).catch(() => null)),
  );
  const method = r.method;
  let invitee: { name: string; email: string | null } | null = null;
  let partner: { name: string; platformId: string | null } | null = null;
  if (r.subject.type === "person") {
    const p = await record.getPerson(db, workspaceId, r.subject.personId).catch(() => null);
    invitee = { name: p?.name ?? "our team member", email: r.inviteEmail };
  } else {
    const a = await record.getAccount(db, workspaceId, r.subject.accountId).catch(() => null);
    partner = { name: a?.name ?? "our account", platformId: a?.platformId ?? null };
  }
  const guideRef = method === "partner" ? platform.guides["add-partner"] : platform.guides.invite;
  const guide = guideRef ? library?.byRef.get(guideRef) : undefined;
  const message = composeRequestMessage({
    direction: r.direction,
    platform,
    account: { name: account.name, platformId: account.platformId },
    assets: assets
      .filter((a) => a !== null)
      .map((a) => ({
        name: a.name,
        platformId: a.platformId,
        typeName: platform.assetTypes.find((t) => t.key === a.type)?.name ?? a.type,
      })),
    role: r.role,
    method,
    invitee,
    partner,
    contactName: r.contactName,
    senderName: sender.name,
    senderOrganization: sender.organization,
    dueOn: r.dueOn,
    guide: guide
      ? {
          title: guide.title,
          url: `${publicUrl}/guides/${guide.platform}/${guide.slug}`,
          steps: "steps" in guide ? guide.steps.map((s) => s.title.replace(/[*_`]/g, "")) : [],
        }
      : null,
  });
  return { ...message, guide: guideRef ?? null };
}
