import type { ReachAnswer } from "../access/index.ts";
import { isAdminLevel, type PlatformDef, resolveRole } from "../catalog/index.ts";
import { addDays } from "../clock.ts";
import { nameKey, personNameKeys } from "../findings/rules.ts";
import type { AccountView, AssetView, GrantView, PersonView, SharedLoginView } from "../record/schemas.ts";
import { PHASES, type PlanSubject, type TaskDraft } from "./types.ts";

/** What an account's owner recorded must happen when access to it changes. */
export interface ChangeRule {
  accountId: string;
  notify: string | null;
  removeWithinDays: number | null;
  successorPersonId: string | null;
}

/** Everything the generator reads: the record, the access engine's answers, and the rules. */
export interface PlanContext {
  today: string;
  dueOn: string | null;
  successorPersonId: string | null;
  people: PersonView[];
  accounts: AccountView[];
  assets: AssetView[];
  sharedLogins: SharedLoginView[];
  grants: GrantView[];
  /** The access engine's answer to "what can P reach", for each person the plan concerns. */
  reach: Map<string, ReachAnswer[]>;
  rules: Map<string, ChangeRule>;
  platform(key: string): PlatformDef | undefined;
}

const SHARED_LOGIN_GUIDE = "general/never-share-a-login";
const LIVE = (g: GrantView) => g.status !== "revoked";

class Builder {
  readonly tasks: TaskDraft[] = [];
  readonly #keys = new Set<string>();
  add(t: TaskDraft): string {
    if (!this.#keys.has(t.key)) {
      this.#keys.add(t.key);
      this.tasks.push(t);
    }
    return t.key;
  }
}

function lookup(ctx: PlanContext) {
  const people = new Map(ctx.people.map((p) => [p.id, p]));
  const accounts = new Map(ctx.accounts.map((a) => [a.id, a]));
  const assets = new Map(ctx.assets.map((a) => [a.id, a]));
  const logins = new Map(ctx.sharedLogins.map((l) => [l.id, l]));
  const departed = (id: string) => {
    const p = people.get(id);
    return !p || p.status === "departed" || (p.leftOn !== null && p.leftOn <= ctx.today);
  };
  const personName = (id: string | null) => (id ? (people.get(id)?.name ?? "someone") : "someone");
  const targetName = (g: GrantView) => {
    const a = accounts.get(g.target.accountId);
    const asset = g.target.assetId ? assets.get(g.target.assetId) : null;
    return asset ? `${asset.name} (in ${a?.name ?? "an account"})` : (a?.name ?? "an account");
  };
  const level = (g: GrantView) =>
    g.target.assetId ? (assets.get(g.target.assetId)?.type ?? "account") : "account";
  const isAccountAdmin = (g: GrantView) => {
    const a = accounts.get(g.target.accountId);
    const p = a ? ctx.platform(a.platform) : undefined;
    return g.target.assetId === null && !!p && isAdminLevel(p, "account", g.role);
  };
  const isOwnerRole = (g: GrantView) => {
    const a = accounts.get(g.target.accountId);
    const p = a ? ctx.platform(a.platform) : undefined;
    if (!p) return false;
    const r = resolveRole(p, level(g), g.role);
    return r.ok && r.role.owner === true;
  };
  const guide = (
    accountId: string,
    action: "remove" | "transfer-ownership" | "change-role" | "remove-partner" | "invite",
  ) => {
    const a = accounts.get(accountId);
    return (a && ctx.platform(a.platform)?.guides[action]) ?? null;
  };
  const dueFor = (accountId: string | null) => {
    const rule = accountId ? ctx.rules.get(accountId) : undefined;
    if (rule?.removeWithinDays) {
      const d = addDays(ctx.today, rule.removeWithinDays);
      return ctx.dueOn && ctx.dueOn < d ? ctx.dueOn : d;
    }
    return ctx.dueOn;
  };
  return {
    people,
    accounts,
    assets,
    logins,
    departed,
    personName,
    targetName,
    isAccountAdmin,
    isOwnerRole,
    guide,
    dueFor,
  };
}

/** Other people (outside `leaving`) who keep an account-level admin role on the account. */
function remainingAdmins(
  ctx: PlanContext,
  L: ReturnType<typeof lookup>,
  accountId: string,
  leaving: Set<string>,
): string[] {
  return ctx.grants
    .filter(
      (g) =>
        g.status === "active" &&
        g.subject.type === "person" &&
        g.target.accountId === accountId &&
        !leaving.has(g.subject.personId) &&
        !L.departed(g.subject.personId) &&
        L.isAccountAdmin(g),
    )
    .map((g) => (g.subject as { personId: string }).personId);
}

/**
 * The safe order for taking access away from a set of people (a leaver, or everyone of an
 * organization whose relationship ends): tell whoever the account's rule names; hand over admin
 * roles and ownership before anything is removed (never leave an account without an admin); then
 * remove every grant, cancel pending invitations and remove partner connections; then change the
 * passwords of shared logins they knew. Nothing the access engine says they can reach is left out.
 */
function offboard(ctx: PlanContext, b: Builder, leaving: Set<string>, partnerAccounts: Set<string>): void {
  const L = lookup(ctx);
  const who = [...leaving].map((id) => L.personName(id)).join(", ");
  const accountsTouched = new Set<string>();
  const theirGrants = ctx.grants.filter(
    (g) =>
      LIVE(g) &&
      ((g.subject.type === "person" && leaving.has(g.subject.personId)) ||
        (g.subject.type === "partner" && partnerAccounts.has(g.subject.accountId))),
  );
  for (const g of theirGrants) accountsTouched.add(g.target.accountId);
  for (const a of ctx.accounts) {
    if (
      (a.ownerPersonId && leaving.has(a.ownerPersonId)) ||
      (a.backupOwnerPersonId && leaving.has(a.backupOwnerPersonId))
    )
      accountsTouched.add(a.id);
  }
  const knownLogins = ctx.sharedLogins.filter((l) => l.knownByPersonIds.some((p) => leaving.has(p)));
  const handOverKeys = new Map<string, string[]>();
  const ordered = [...accountsTouched]
    .map((id) => L.accounts.get(id)!)
    .filter(Boolean)
    .sort((x, y) => x.name.localeCompare(y.name));

  for (const a of ordered) {
    const rule = ctx.rules.get(a.id);
    const keys: string[] = [];
    if (rule?.notify)
      keys.push(
        b.add({
          key: `notify:${a.id}`,
          phase: "prepare",
          kind: "notify",
          title: `Tell ${rule.notify} about the change to ${a.name}`,
          detail: "The account's own rule asks for this before access changes.",
          accountId: a.id,
          guide: null,
          action: { type: "none" },
          blockedBy: [],
          dueOn: ctx.today,
        }),
      );
    const successor = ctx.successorPersonId ?? rule?.successorPersonId ?? null;
    const usableSuccessor = successor && !leaving.has(successor) && !L.departed(successor) ? successor : null;
    // Admin hand-over: their leaving would leave the account with no admin.
    const adminGrants = theirGrants.filter(
      (g) =>
        g.target.accountId === a.id &&
        g.subject.type === "person" &&
        g.status === "active" &&
        L.isAccountAdmin(g),
    );
    if (adminGrants.length > 0 && remainingAdmins(ctx, L, a.id, leaving).length === 0) {
      const role = adminGrants[0]!.role;
      keys.push(
        b.add({
          key: `admin:${a.id}`,
          phase: "hand-over",
          kind: "hand-over-admin",
          title: usableSuccessor
            ? `Make ${L.personName(usableSuccessor)} ${role} of ${a.name}`
            : `Choose who becomes ${role} of ${a.name}`,
          detail: `${who} ${leaving.size > 1 ? "are" : "is"} the only admin-level ${leaving.size > 1 ? "people" : "person"} on ${a.name}. Give someone else the role before removing anyone, or the account is left with no one who can manage it.`,
          accountId: a.id,
          guide: L.guide(a.id, "invite"),
          action: { type: "create-grant", personId: usableSuccessor, accountId: a.id, assetId: null, role },
          blockedBy: keys.filter((k) => k.startsWith("notify:")),
          dueOn: L.dueFor(a.id),
        }),
      );
    }
    // Platform ownership (YouTube owner, Google Ads owner, primary owner, store owner).
    const ownerGrant = theirGrants.find(
      (g) => g.target.accountId === a.id && g.subject.type === "person" && L.isOwnerRole(g),
    );
    if (ownerGrant) {
      keys.push(
        b.add({
          key: `transfer:${a.id}`,
          phase: "hand-over",
          kind: "transfer-ownership",
          title: `Transfer ownership of ${a.name} on the platform${usableSuccessor ? ` to ${L.personName(usableSuccessor)}` : ""}`,
          detail: `${L.personName((ownerGrant.subject as { personId: string }).personId)} holds "${ownerGrant.role}", which is ownership, not just access. Some platforms make a new owner wait (YouTube and Google Business Profile: 7 days) before the old one can be removed.`,
          accountId: a.id,
          guide: L.guide(a.id, "transfer-ownership"),
          action: { type: "none" },
          blockedBy: keys.filter((k) => k.startsWith("admin:") || k.startsWith("notify:")),
          dueOn: L.dueFor(a.id),
        }),
      );
    }
    if (a.ownerPersonId && leaving.has(a.ownerPersonId)) {
      const next =
        usableSuccessor ??
        (a.backupOwnerPersonId && !leaving.has(a.backupOwnerPersonId) && !L.departed(a.backupOwnerPersonId)
          ? a.backupOwnerPersonId
          : null);
      keys.push(
        b.add({
          key: `owner:${a.id}`,
          phase: "hand-over",
          kind: "set-owner",
          title: next
            ? `Make ${L.personName(next)} the accountable owner of ${a.name}`
            : `Choose the new accountable owner of ${a.name}`,
          detail: "Someone inside your business must answer for this account.",
          accountId: a.id,
          guide: "general/owner-and-backup-owner",
          action: { type: "set-owner", accountId: a.id, field: "owner", personId: next, required: true },
          blockedBy: [],
          dueOn: L.dueFor(a.id),
        }),
      );
    }
    if (a.backupOwnerPersonId && leaving.has(a.backupOwnerPersonId)) {
      keys.push(
        b.add({
          key: `backup:${a.id}`,
          phase: "hand-over",
          kind: "set-owner",
          title: `Choose a new backup owner for ${a.name}`,
          detail: "Leave it empty to clear the backup owner.",
          accountId: a.id,
          guide: "general/owner-and-backup-owner",
          action: { type: "set-owner", accountId: a.id, field: "backup", personId: null, required: false },
          blockedBy: [],
          dueOn: L.dueFor(a.id),
        }),
      );
    }
    const holders = [a.recoveryEmailHolder, a.twoFactorHolder];
    for (const p of leaving) {
      const person = L.people.get(p);
      if (!person) continue;
      // Matched as the finding rules match them, so the plan moves what they flag.
      const names = personNameKeys(person);
      const held = holders.map((h) => !!h && names.includes(nameKey(h)));
      if (held.some(Boolean))
        keys.push(
          b.add({
            key: `recovery:${a.id}:${p}`,
            phase: "hand-over",
            kind: "move-recovery",
            title: `Move ${[held[0] ? "the recovery email" : "", held[1] ? "two-step verification" : ""].filter(Boolean).join(" and ")} of ${a.name} away from ${person.name}`,
            detail: "Whoever holds these can take the account back, whatever the roles say.",
            accountId: a.id,
            guide: "general/move-recovery-to-the-business",
            action: { type: "none" },
            blockedBy: [],
            dueOn: L.dueFor(a.id),
          }),
        );
    }
    handOverKeys.set(
      a.id,
      keys.filter((k) => !k.startsWith("notify:")),
    );
  }

  // Remove: every live grant, the last ones of each account after its hand-over.
  const sortedGrants = [...theirGrants].sort(
    (x, y) =>
      (L.accounts.get(x.target.accountId)?.name ?? "").localeCompare(
        L.accounts.get(y.target.accountId)?.name ?? "",
      ) ||
      Number(x.target.assetId !== null) - Number(y.target.assetId !== null) ||
      x.id.localeCompare(y.id),
  );
  for (const g of sortedGrants) {
    const a = L.accounts.get(g.target.accountId);
    if (!a) continue;
    const blockedBy = [
      ...(handOverKeys.get(a.id) ?? []),
      ...(ctx.rules.get(a.id)?.notify ? [`notify:${a.id}`] : []),
    ];
    if (g.subject.type === "partner") {
      const partner = L.accounts.get(g.subject.accountId);
      b.add({
        key: `revoke:${g.id}`,
        phase: "remove",
        kind: "remove-partner",
        title: `Remove the partner ${partner?.name ?? "account"} from ${L.targetName(g)}`,
        detail: `Removing the partner ends everything shared through it (${g.role}), including what its own people were assigned inside it.`,
        accountId: a.id,
        guide: L.guide(a.id, "remove-partner"),
        action: { type: "revoke-grant", grantId: g.id },
        blockedBy,
        dueOn: L.dueFor(a.id),
      });
      continue;
    }
    const personId = (g.subject as { personId: string }).personId;
    const through = (ctx.reach.get(personId) ?? [])
      .filter((r) => r.path[0]?.grantId === g.id && r.path.length > 1)
      .map((r) => `${r.node.name} (${r.role})`);
    const pending = g.status === "pending";
    b.add({
      key: `revoke:${g.id}`,
      phase: "remove",
      kind: pending ? "cancel-invitation" : "remove-grant",
      title: pending
        ? `Cancel the invitation of ${L.personName(personId)} to ${L.targetName(g)}`
        : `Remove ${L.personName(personId)} from ${L.targetName(g)} (${g.role})`,
      detail: through.length ? `This also ends their access to: ${[...new Set(through)].join(", ")}.` : null,
      accountId: a.id,
      guide: L.guide(a.id, "remove"),
      action: { type: "revoke-grant", grantId: g.id },
      blockedBy,
      dueOn: L.dueFor(a.id),
    });
  }

  // Secure: shared logins they knew still open every door they open.
  for (const l of knownLogins) {
    const knewIt = l.knownByPersonIds.filter((p) => leaving.has(p));
    const opens = ctx.grants.filter(
      (g) => g.status === "active" && g.subject.type === "shared_login" && g.subject.sharedLoginId === l.id,
    );
    const removeKeys = opens.flatMap((g) =>
      theirGrants.filter((t) => t.target.accountId === g.target.accountId).map((t) => `revoke:${t.id}`),
    );
    b.add({
      key: `rotate:${l.id}`,
      phase: "secure",
      kind: "rotate-shared-login",
      title: `Change the password of "${l.label}" and sign out its sessions`,
      detail: `${knewIt.map((p) => L.personName(p)).join(", ")} knew it.${opens.length ? ` It opens ${[...new Set(opens.map((g) => L.targetName(g)))].join(", ")}.` : ""} Better still, give each person their own access and retire the login.`,
      accountId: opens[0]?.target.accountId ?? null,
      guide: SHARED_LOGIN_GUIDE,
      action: { type: "forget-shared-login", sharedLoginId: l.id, personIds: knewIt },
      blockedBy: [...new Set(removeKeys)],
      dueOn: ctx.dueOn,
    });
  }

  // Anything the engine says they reach that no task covers (defensive: should not happen).
  for (const p of leaving) {
    for (const r of ctx.reach.get(p) ?? []) {
      const first = r.path[0];
      if (!first) continue;
      const covered =
        (first.grantId && b.tasks.some((t) => t.key === `revoke:${first.grantId}`)) ||
        (first.kind === "knows" && b.tasks.some((t) => t.key === `rotate:${first.to.id}`));
      if (!covered)
        b.add({
          key: `reach:${p}:${r.node.type}:${r.node.id}`,
          phase: "remove",
          kind: "remove-grant",
          title: `Remove ${L.personName(p)}'s access to ${r.node.name} (${r.role})`,
          detail: `Found through: ${r.path.map((e) => e.to.name).join(" → ")}.`,
          accountId: null,
          guide: null,
          action: { type: "none" },
          blockedBy: [],
          dueOn: ctx.dueOn,
        });
    }
  }
}

/** Generate the tasks of a change plan, in a safe order. */
export function generatePlan(subject: PlanSubject, ctx: PlanContext): TaskDraft[] {
  const b = new Builder();
  const L = lookup(ctx);
  switch (subject.kind) {
    case "person-leaves": {
      const p = L.people.get(subject.personId);
      if (p && p.status !== "departed")
        b.add({
          key: `depart:${p.id}`,
          phase: "prepare",
          kind: "mark-departed",
          title: `Mark ${p.name} as departed in the record`,
          detail:
            "From then on, any access they still hold shows up as a critical finding until it is removed.",
          accountId: null,
          guide: "general/leaver-checklist",
          action: { type: "mark-departed", personId: p.id },
          blockedBy: [],
          dueOn: ctx.today,
        });
      offboard(ctx, b, new Set([subject.personId]), new Set());
      break;
    }
    case "relationship-ends": {
      const people = new Set(
        ctx.people.filter((p) => p.organizationId === subject.organizationId).map((p) => p.id),
      );
      const theirAccounts = new Set(
        ctx.accounts.filter((a) => a.organizationId === subject.organizationId).map((a) => a.id),
      );
      offboard(ctx, b, people, theirAccounts);
      for (const id of people) {
        const p = L.people.get(id)!;
        if (p.status !== "departed")
          b.add({
            key: `depart:${id}`,
            phase: "secure",
            kind: "mark-departed",
            title: `Mark ${p.name} as departed in the record`,
            detail: "Their organization no longer works with you.",
            accountId: null,
            guide: "general/agency-offboarding-checklist",
            action: { type: "mark-departed", personId: id },
            blockedBy: b.tasks.filter((t) => t.action.type === "revoke-grant").map((t) => t.key),
            dueOn: ctx.dueOn,
          });
      }
      break;
    }
    case "ownership-handover": {
      const a = L.accounts.get(subject.accountId);
      if (!a) break;
      const platform = ctx.platform(a.platform);
      const to = subject.toPersonId;
      const hasAdmin = ctx.grants.some(
        (g) =>
          g.status === "active" &&
          g.subject.type === "person" &&
          g.subject.personId === to &&
          g.target.accountId === a.id &&
          L.isAccountAdmin(g),
      );
      const topAdmin =
        platform?.accountRoles.find((r) => r.admin && !r.owner)?.name ??
        platform?.accountRoles[0]?.name ??
        "Admin";
      const keys: string[] = [];
      const rule = ctx.rules.get(a.id);
      if (rule?.notify)
        keys.push(
          b.add({
            key: `notify:${a.id}`,
            phase: "prepare",
            kind: "notify",
            title: `Tell ${rule.notify} about the hand-over of ${a.name}`,
            detail: null,
            accountId: a.id,
            guide: null,
            action: { type: "none" },
            blockedBy: [],
            dueOn: ctx.today,
          }),
        );
      if (!hasAdmin)
        keys.push(
          b.add({
            key: `admin:${a.id}`,
            phase: "hand-over",
            kind: "hand-over-admin",
            title: `Make ${L.personName(to)} ${topAdmin} of ${a.name}`,
            detail: "The new owner needs admin-level access first.",
            accountId: a.id,
            guide: L.guide(a.id, "invite"),
            action: { type: "create-grant", personId: to, accountId: a.id, assetId: null, role: topAdmin },
            blockedBy: [...keys],
            dueOn: L.dueFor(a.id),
          }),
        );
      if (platform?.guides["transfer-ownership"] || platform?.accountRoles.some((r) => r.owner))
        keys.push(
          b.add({
            key: `transfer:${a.id}`,
            phase: "hand-over",
            kind: "transfer-ownership",
            title: `Transfer ownership of ${a.name} on the platform to ${L.personName(to)}`,
            detail:
              "Some platforms make a new owner wait (YouTube and Google Business Profile: 7 days) before they can act as owner.",
            accountId: a.id,
            guide: L.guide(a.id, "transfer-ownership"),
            action: { type: "none" },
            blockedBy: [...keys],
            dueOn: L.dueFor(a.id),
          }),
        );
      keys.push(
        b.add({
          key: `owner:${a.id}`,
          phase: "hand-over",
          kind: "set-owner",
          title: `Make ${L.personName(to)} the accountable owner of ${a.name}`,
          detail: null,
          accountId: a.id,
          guide: "general/owner-and-backup-owner",
          action: { type: "set-owner", accountId: a.id, field: "owner", personId: to, required: true },
          blockedBy: [],
          dueOn: L.dueFor(a.id),
        }),
      );
      const previous = a.ownerPersonId && a.ownerPersonId !== to ? a.ownerPersonId : null;
      if (subject.removePrevious && previous)
        for (const g of ctx.grants.filter(
          (g) =>
            LIVE(g) &&
            g.subject.type === "person" &&
            g.subject.personId === previous &&
            g.target.accountId === a.id,
        ))
          b.add({
            key: `revoke:${g.id}`,
            phase: "remove",
            kind: "remove-grant",
            title: `Remove ${L.personName(previous)} from ${L.targetName(g)} (${g.role})`,
            detail: null,
            accountId: a.id,
            guide: L.guide(a.id, "remove"),
            action: { type: "revoke-grant", grantId: g.id },
            blockedBy: [...keys],
            dueOn: L.dueFor(a.id),
          });
      break;
    }
    case "role-change": {
      const g = ctx.grants.find((x) => x.id === subject.grantId);
      if (g?.subject.type !== "person") break;
      const a = L.accounts.get(g.target.accountId);
      if (!a) break;
      const platform = ctx.platform(a.platform);
      const keys: string[] = [];
      const losesAdmin =
        L.isAccountAdmin(g) && !!platform && !isAdminLevel(platform, "account", subject.role);
      if (losesAdmin && remainingAdmins(ctx, L, a.id, new Set([g.subject.personId])).length === 0) {
        const successor = ctx.successorPersonId ?? ctx.rules.get(a.id)?.successorPersonId ?? null;
        keys.push(
          b.add({
            key: `admin:${a.id}`,
            phase: "hand-over",
            kind: "hand-over-admin",
            title: successor
              ? `Make ${L.personName(successor)} ${g.role} of ${a.name}`
              : `Choose who becomes ${g.role} of ${a.name}`,
            detail: `${L.personName(g.subject.personId)} is the only admin-level person on ${a.name}; someone must take over before the role changes.`,
            accountId: a.id,
            guide: L.guide(a.id, "invite"),
            action: {
              type: "create-grant",
              personId: successor,
              accountId: a.id,
              assetId: null,
              role: g.role,
            },
            blockedBy: [],
            dueOn: L.dueFor(a.id),
          }),
        );
      }
      b.add({
        key: `role:${g.id}`,
        phase: "remove",
        kind: "change-role",
        title: `Change ${L.personName(g.subject.personId)}'s role on ${L.targetName(g)} from ${g.role} to ${subject.role}`,
        detail: null,
        accountId: a.id,
        guide: L.guide(a.id, "change-role"),
        action: { type: "change-role", grantId: g.id, role: subject.role },
        blockedBy: keys,
        dueOn: L.dueFor(a.id),
      });
      break;
    }
    case "shared-login-retired": {
      const l = L.logins.get(subject.sharedLoginId);
      if (!l) break;
      const opens = ctx.grants.filter(
        (g) => LIVE(g) && g.subject.type === "shared_login" && g.subject.sharedLoginId === l.id,
      );
      const knowers = l.knownByPersonIds.filter((p) => !L.departed(p));
      for (const g of opens) {
        const own: string[] = [];
        for (const p of knowers) {
          const hasOwn = ctx.grants.some(
            (x) =>
              x.status === "active" &&
              x.subject.type === "person" &&
              x.subject.personId === p &&
              x.target.accountId === g.target.accountId &&
              x.target.assetId === g.target.assetId,
          );
          if (!hasOwn)
            own.push(
              b.add({
                key: `own:${g.id}:${p}`,
                phase: "hand-over",
                kind: "give-own-access",
                title: `Give ${L.personName(p)} their own access to ${L.targetName(g)} (${g.role})`,
                detail: "Each person signs in as themself; the shared login can then go.",
                accountId: g.target.accountId,
                guide: L.guide(g.target.accountId, "invite"),
                action: {
                  type: "create-grant",
                  personId: p,
                  accountId: g.target.accountId,
                  assetId: g.target.assetId,
                  role: g.role,
                },
                blockedBy: [],
                dueOn: L.dueFor(g.target.accountId),
              }),
            );
        }
        b.add({
          key: `revoke:${g.id}`,
          phase: "remove",
          kind: "remove-grant",
          title: `Remove "${l.label}" from ${L.targetName(g)}`,
          detail: "Change its password and sign out its sessions, then remove it or close it.",
          accountId: g.target.accountId,
          guide: L.guide(g.target.accountId, "remove"),
          action: { type: "revoke-grant", grantId: g.id },
          blockedBy: own,
          dueOn: L.dueFor(g.target.accountId),
        });
      }
      b.add({
        key: `rotate:${l.id}`,
        phase: "secure",
        kind: "rotate-shared-login",
        title: `Change the password of "${l.label}" one last time and record that no one knows it`,
        detail: null,
        accountId: null,
        guide: SHARED_LOGIN_GUIDE,
        action: { type: "forget-shared-login", sharedLoginId: l.id, personIds: l.knownByPersonIds },
        blockedBy: opens.map((g) => `revoke:${g.id}`),
        dueOn: ctx.dueOn,
      });
      break;
    }
  }
  // Safe order: phase by phase, keeping the order within each phase.
  return PHASES.flatMap((phase) => b.tasks.filter((t) => t.phase === phase));
}

/**
 * What the change still leaves in the record: the plan is complete only when this is empty.
 * For a leaver: no live grant, no reach through partners or shared logins, no ownership.
 */
export function planRemaining(subject: PlanSubject, ctx: PlanContext): string[] {
  const L = lookup(ctx);
  const left: string[] = [];
  const people = (ids: Iterable<string>, partnerAccounts: Set<string>) => {
    for (const p of ids) {
      for (const g of ctx.grants)
        if (LIVE(g) && g.subject.type === "person" && g.subject.personId === p)
          left.push(
            `${L.personName(p)} still has ${g.status === "pending" ? "a pending invitation to" : `${g.role} on`} ${L.targetName(g)}`,
          );
      for (const r of ctx.reach.get(p) ?? [])
        if (r.path[0]?.kind === "knows")
          left.push(
            `${L.personName(p)} still reaches ${r.node.name} through the shared login "${r.path[0].to.name}"`,
          );
      for (const a of ctx.accounts) {
        if (a.ownerPersonId === p)
          left.push(`${L.personName(p)} is still the accountable owner of ${a.name}`);
        if (a.backupOwnerPersonId === p)
          left.push(`${L.personName(p)} is still the backup owner of ${a.name}`);
      }
      for (const l of ctx.sharedLogins)
        if (l.knownByPersonIds.includes(p))
          left.push(`${L.personName(p)} is still recorded as knowing "${l.label}"`);
    }
    for (const g of ctx.grants)
      if (LIVE(g) && g.subject.type === "partner" && partnerAccounts.has(g.subject.accountId))
        left.push(
          `${L.accounts.get(g.subject.accountId)?.name ?? "A partner"} is still a partner on ${L.targetName(g)}`,
        );
  };
  switch (subject.kind) {
    case "person-leaves":
      people([subject.personId], new Set());
      break;
    case "relationship-ends":
      people(
        ctx.people.filter((p) => p.organizationId === subject.organizationId).map((p) => p.id),
        new Set(ctx.accounts.filter((a) => a.organizationId === subject.organizationId).map((a) => a.id)),
      );
      break;
    case "ownership-handover": {
      const a = L.accounts.get(subject.accountId);
      if (a && a.ownerPersonId !== subject.toPersonId)
        left.push(`${L.personName(subject.toPersonId)} is not yet the accountable owner of ${a.name}`);
      break;
    }
    case "role-change": {
      const g = ctx.grants.find((x) => x.id === subject.grantId);
      if (g && LIVE(g) && g.role.toLowerCase() !== subject.role.toLowerCase())
        left.push(`The role on ${L.targetName(g)} is still ${g.role}`);
      break;
    }
    case "shared-login-retired": {
      const l = L.logins.get(subject.sharedLoginId);
      if (!l) break;
      for (const g of ctx.grants)
        if (LIVE(g) && g.subject.type === "shared_login" && g.subject.sharedLoginId === l.id)
          left.push(`"${l.label}" still opens ${L.targetName(g)}`);
      if (l.knownByPersonIds.length)
        left.push(
          `"${l.label}" is still recorded as known by ${l.knownByPersonIds.map((p) => L.personName(p)).join(", ")}`,
        );
      break;
    }
  }
  return left;
}
