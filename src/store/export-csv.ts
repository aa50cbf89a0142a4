import { stringify } from "csv-stringify/sync";
import { SHEET_COLUMNS } from "../core/record/access-sheet.ts";
import type { WorkspaceExport } from "./export.ts";

/**
 * Spreadsheets run cells that start with = + - @ (or a tab or carriage return) as formulas; a
 * leading apostrophe makes them plain text (OWASP's CSV injection advice).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The Record as an access sheet: one row per grant, in the columns the importer reads. */
export function exportAccessSheet(doc: WorkspaceExport): string {
  const org = new Map(doc.organizations.map((o) => [o.id, o.name]));
  const person = new Map(doc.people.map((p) => [p.id, p]));
  const account = new Map(doc.accounts.map((a) => [a.id, a]));
  const asset = new Map(doc.assets.map((a) => [a.id, a]));
  const login = new Map(doc.sharedLogins.map((l) => [l.id, l]));
  const rows: string[][] = [];
  for (const g of doc.grants) {
    const acc = account.get(g.target.accountId);
    if (!acc) continue;
    const as = g.target.assetId ? asset.get(g.target.assetId) : undefined;
    const owner = acc.ownerPersonId ? person.get(acc.ownerPersonId) : undefined;
    const cell: Record<(typeof SHEET_COLUMNS)[number], string> = {
      platform: acc.platform,
      account: acc.name,
      account_id: acc.platformId ?? "",
      account_org: org.get(acc.organizationId) ?? "",
      account_owner: owner?.emails[0] ?? "",
      asset: as?.name ?? "",
      asset_type: as?.type ?? "",
      asset_id: as?.platformId ?? "",
      subject: "",
      subject_type: g.subject.type,
      email: "",
      subject_org: "",
      role: g.role,
      status: g.status,
      invited_on: g.invitedOn ?? "",
      granted_on: g.grantedOn ?? "",
      expires_on: g.expiresOn ?? "",
      person_status: "",
      left_on: "",
      known_by: "",
      notes: g.notes ?? "",
    };
    const s = g.subject;
    if (s.type === "person") {
      const p = person.get(s.personId);
      cell.subject = p?.name ?? "";
      cell.email = p?.emails[0] ?? "";
      cell.subject_org = p?.organizationId ? (org.get(p.organizationId) ?? "") : "";
      cell.person_status = p?.status ?? "";
      cell.left_on = p?.leftOn ?? "";
    } else if (s.type === "partner") {
      const pa = account.get(s.accountId);
      cell.subject = pa?.name ?? "";
      cell.subject_org = pa ? (org.get(pa.organizationId) ?? "") : "";
    } else if (s.type === "shared_login") {
      const l = login.get(s.sharedLoginId);
      cell.subject = l?.label ?? "";
      cell.known_by = (l?.knownByPersonIds ?? [])
        .map((id) => person.get(id)?.emails[0] ?? "")
        .filter(Boolean)
        .join(";");
    } else cell.subject = s.name;
    rows.push(SHEET_COLUMNS.map((c) => neutraliseFormula(cell[c])));
  }
  return stringify([[...SHEET_COLUMNS], ...rows]);
}
