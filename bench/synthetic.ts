/**
 * Seeded generator of realistic workspaces for benchmarks: an agency whose Business Centers are
 * partners of hundreds of clients' accounts, with staff assigned inside them, client staff with
 * direct roles, shared logins and departed people. Scales to a requested number of grants.
 */
import type { IndexGrant, IndexSnapshot } from "../src/core/access/types.ts";
import type { FGrant, FindingsInput } from "../src/core/findings/rules.ts";

export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
/** Deterministic UUID-shaped IDs: kind in the first group, a counter at the end. */
const idOf = (kind: number, n: number) => `${hex(kind, 8)}-0000-7000-8000-${hex(n, 12)}`;

export interface SyntheticSizes {
  grants: number;
  seed?: number;
}

export function agencyWorkspace({ grants: target, seed = 42 }: SyntheticSizes): IndexSnapshot {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const clients = Math.max(10, Math.round(target / 2000));
  const agencyStaff = Math.max(20, Math.round(target / 200));
  const snapshot: IndexSnapshot = { people: [], accounts: [], assets: [], sharedLogins: [], grants: [] };
  let g = 0;
  const grant = (x: Omit<IndexGrant, "id" | "status" | "expiresOn">, extra: Partial<IndexGrant> = {}) => {
    snapshot.grants.push({
      id: idOf(5, g++),
      status: r() < 0.03 ? "revoked" : r() < 0.03 ? "pending" : "active",
      expiresOn: r() < 0.02 ? "2026-06-30" : null,
      ...x,
      ...extra,
    });
  };
  const agencyBCs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = idOf(2, i);
    agencyBCs.push(id);
    snapshot.accounts.push({ id, name: `Agency BC ${i + 1}`, platform: "tiktok" });
  }
  const staff: string[] = [];
  for (let i = 0; i < agencyStaff; i++) {
    const id = idOf(1, i);
    staff.push(id);
    snapshot.people.push({
      id,
      name: `Agency person ${i}`,
      status: r() < 0.05 ? "departed" : "active",
      leftOn: null,
    });
    grant({
      subject: { type: "person", personId: id },
      target: { accountId: pick(agencyBCs), assetId: null },
      role: i % 25 === 0 ? "Admin" : "Standard",
    });
  }
  let personN = agencyStaff;
  let accountN = 3;
  let assetN = 0;
  let loginN = 0;
  const platforms = ["tiktok", "meta", "google-ads"] as const;
  const perClientAccounts = 3;
  const perAccountAssets = 6;
  const budgetPerAccount = target / (clients * perClientAccounts);
  for (let c = 0; c < clients && g < target; c++) {
    const clientPeople: string[] = [];
    for (let k = 0; k < 4; k++) {
      const id = idOf(1, personN++);
      clientPeople.push(id);
      snapshot.people.push({
        id,
        name: `Client ${c} person ${k}`,
        status: r() < 0.08 ? "departed" : "active",
        leftOn: null,
      });
    }
    for (let a = 0; a < perClientAccounts; a++) {
      const platform = platforms[a % platforms.length]!;
      const accountId = idOf(2, accountN++);
      snapshot.accounts.push({ id: accountId, name: `Client ${c} ${platform}`, platform });
      const assets: string[] = [];
      for (let x = 0; x < perAccountAssets; x++) {
        const id = idOf(3, assetN++);
        assets.push(id);
        snapshot.assets.push({ id, name: `Client ${c} asset ${x}`, accountId });
      }
      grant({
        subject: { type: "person", personId: clientPeople[0]! },
        target: { accountId, assetId: null },
        role: platform === "meta" ? "Full control" : "Admin",
      });
      if (platform === "tiktok") {
        const bc = pick(agencyBCs);
        for (const x of assets.slice(0, 3))
          grant({
            subject: { type: "partner", accountId: bc },
            target: { accountId, assetId: x },
            role: "Operator",
          });
        if (r() < 0.3) {
          const login = idOf(4, loginN++);
          snapshot.sharedLogins.push({
            id: login,
            label: `Client ${c} login`,
            knownByPersonIds: [pick(clientPeople), pick(staff)],
          });
          grant({
            subject: { type: "shared_login", sharedLoginId: login },
            target: { accountId, assetId: assets[3]! },
            role: "Post",
          });
        }
      }
      // Fill the account's share of the budget with assignments and direct asset roles.
      const fill = Math.max(0, Math.round(budgetPerAccount) - 5);
      for (let k = 0; k < fill && g < target; k++) {
        const x = pick(assets);
        if (platform === "tiktok" && r() < 0.7)
          grant({
            subject: { type: "person", personId: pick(staff) },
            target: { accountId: pick(agencyBCs), assetId: assets[Math.floor(r() * 3)]! },
            role: "Analyst",
          });
        else
          grant({
            subject: { type: "person", personId: pick([...clientPeople, pick(staff)]) },
            target: { accountId, assetId: x },
            role: platform === "meta" ? "Partial access" : "Analyst",
          });
      }
    }
  }
  return snapshot;
}

/**
 * The agency workspace as the finding rules read it: a personal mailbox for one person in fifty,
 * the agency's people and accounts in the agency's organization and each client's in its own,
 * quarterly reviews, invitations sent on 2026-10-01.
 */
export function findingsWorkspace(grants: number): FindingsInput {
  const s = agencyWorkspace({ grants });
  const orgIds = new Map<string, string>();
  const org = (name: string) => {
    let id = orgIds.get(name);
    if (!id) {
      id = idOf(6, orgIds.size);
      orgIds.set(name, id);
    }
    return id;
  };
  const orgOf = (name: string) =>
    name.startsWith("Agency") ? org("Agency") : org(`Client ${name.split(" ")[1]}`);
  return {
    asOf: "2026-11-24",
    people: s.people.map((p, i) => ({
      ...p,
      emails: [`p${i}@${i % 50 === 0 ? "gmail.com" : "acme.test"}`],
      organizationId: orgOf(p.name),
    })),
    accounts: s.accounts.map((a) => ({
      ...a,
      platformId: null,
      organizationId: orgOf(a.name),
      ownerPersonId: null,
      reviewCadenceDays: 90,
      lastReviewedOn: null,
      createdOn: "2026-01-01",
    })),
    assets: s.assets.map((a) => ({ ...a, type: "ad_account", platformId: null })),
    sharedLogins: s.sharedLogins,
    // One object shape per grant, as the store's rows map to.
    grants: s.grants.map(
      (g): FGrant => ({
        id: g.id,
        subject: g.subject,
        target: { accountId: g.target.accountId, assetId: g.target.assetId },
        role: g.role,
        status: g.status,
        invitedOn: g.status === "pending" ? "2026-10-01" : null,
        expiresOn: g.expiresOn,
      }),
    ),
  };
}

/** The organizations `findingsWorkspace` names, by ID. */
export function organizationsOf(w: FindingsInput): { id: string; name: string }[] {
  const ids = new Set([...w.people.map((p) => p.organizationId), ...w.accounts.map((a) => a.organizationId)]);
  return [...ids].flatMap((id) => (id ? [{ id, name: `Organization ${id.slice(-6)}` }] : []));
}
