import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { getPlatform, PLATFORMS, rolesAt } from "../../../core/catalog/index.ts";
import { ApiError, api } from "../api.ts";
import { Alert, Button, Field, Loading, Select } from "../components/ui.tsx";
import { type AccountView, type RecordData, useList } from "./record-api.ts";

export const str = (f: FormData, k: string) => String(f.get(k) ?? "").trim();
export const orNull = (v: string) => (v === "" ? null : v);

export function useSubmit(workspaceId: string, onDone?: () => void) {
  const qc = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[1] === workspaceId });
      onDone?.();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "ERROR", (err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function ErrorNote({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <Alert>
      {error.message}
      {error.problems.length > 1 && (
        <ul className="mt-1 list-disc pl-5">
          {error.problems.map((p) => (
            <li key={p.path + p.message}>
              {p.path}: {p.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** Add an account in a few taps; a new organization can be named on the spot. */
export function AddAccountForm({
  workspaceId,
  record,
  onDone,
}: {
  workspaceId: string;
  record: RecordData;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const [orgChoice, setOrgChoice] = useState(record.organizations[0]?.id ?? "__new");
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(async () => {
      let organizationId = orgChoice;
      if (orgChoice === "__new") {
        organizationId = (
          await api<{ id: string }>(`/workspaces/${workspaceId}/organizations`, {
            body: { name: str(f, "orgName"), kind: str(f, "orgKind") },
          })
        ).id;
      }
      await api(`/workspaces/${workspaceId}/accounts`, {
        body: {
          platform: str(f, "platform"),
          name: str(f, "name"),
          platformId: orNull(str(f, "platformId")),
          organizationId,
          ownerPersonId: orNull(str(f, "owner")),
        },
      });
    });
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Add an account">
      <ErrorNote error={error} />
      <Select label="Platform" name="platform" defaultValue="tiktok">
        {PLATFORMS.map((p) => (
          <option key={p.key} value={p.key}>
            {p.name}
          </option>
        ))}
      </Select>
      <Field
        label="Account name"
        name="name"
        required
        placeholder="e.g. Acme's TikTok Business Center"
        error={error?.field("name")}
      />
      <Field label="Platform ID (optional)" name="platformId" placeholder="e.g. the Business Center ID" />
      <Select label="Belongs to" name="org" value={orgChoice} onChange={(e) => setOrgChoice(e.target.value)}>
        {record.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
        <option value="__new">+ A new organization…</option>
      </Select>
      {orgChoice === "__new" && (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Organization name" name="orgName" required />
          <Select label="Kind" name="orgKind" defaultValue="client">
            <option value="own">Your own business</option>
            <option value="client">Client</option>
            <option value="agency">Agency</option>
            <option value="vendor">Vendor</option>
            <option value="other">Other</option>
          </Select>
        </div>
      )}
      <Select label="Accountable owner" name="owner" defaultValue="">
        <option value="">Nobody yet</option>
        {record.people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      <Button type="submit" disabled={busy}>
        Add account
      </Button>
    </form>
  );
}

export function AddPersonForm({
  workspaceId,
  record,
  onDone,
}: {
  workspaceId: string;
  record: RecordData;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(() =>
      api(`/workspaces/${workspaceId}/people`, {
        body: {
          name: str(f, "name"),
          emails: str(f, "email") ? [str(f, "email")] : [],
          organizationId: orNull(str(f, "org")),
        },
      }),
    );
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Add a person">
      <ErrorNote error={error} />
      <Field label="Name" name="name" required error={error?.field("name")} />
      <Field
        label="Email"
        name="email"
        type="email"
        error={error?.field("emails") ?? error?.field("emails.0")}
      />
      <Select label="Organization" name="org" defaultValue="">
        <option value="">None</option>
        {record.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
      <Button type="submit" disabled={busy}>
        Add person
      </Button>
    </form>
  );
}

export function AddAssetForm({
  workspaceId,
  account,
  onDone,
}: {
  workspaceId: string;
  account: AccountView;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const types = getPlatform(account.platform)?.assetTypes ?? [];
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(() =>
      api(`/workspaces/${workspaceId}/assets`, {
        body: {
          accountId: account.id,
          type: str(f, "type"),
          name: str(f, "name"),
          platformId: orNull(str(f, "platformId")),
        },
      }),
    );
  }
  if (types.length === 0)
    return (
      <p className="text-slate-600 dark:text-slate-400">
        Access on this platform is recorded on the account itself.
      </p>
    );
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Add an asset">
      <ErrorNote error={error} />
      <Select label="Asset type" name="type">
        {types.map((t) => (
          <option key={t.key} value={t.key}>
            {t.name}
          </option>
        ))}
      </Select>
      <Field label="Asset name" name="name" required />
      <Field label="Platform ID (optional)" name="platformId" />
      <Button type="submit" disabled={busy}>
        Add asset
      </Button>
    </form>
  );
}

/** An asset a grant can be recorded on inside an account: held there, or shared with it by a partner. */
export interface GrantFormAsset {
  id: string;
  name: string;
  type: string;
  /** Held in another account that shared it with this one. */
  shared: boolean;
}

/** The assets of `account` a grant can target, from a whole record (assets held, and shared with it). */
export function grantFormAssets(record: RecordData, account: AccountView): GrantFormAsset[] {
  // Inside an agency's account, its people are assigned to the client assets it was given.
  const sharedIn = new Set(
    record.grants
      .filter(
        (g) => g.subject.type === "partner" && g.subject.accountId === account.id && g.status !== "revoked",
      )
      .flatMap((g) =>
        g.target.assetId
          ? [g.target.assetId]
          : record.assets.filter((a) => a.accountId === g.target.accountId).map((a) => a.id),
      ),
  );
  return record.assets
    .filter((a) => a.accountId === account.id || sharedIn.has(a.id))
    .map((a) => ({ id: a.id, name: a.name, type: a.type, shared: a.accountId !== account.id }));
}

/**
 * Record who holds which role: the roles offered are the catalog's for that level. People,
 * partner accounts and shared logins are loaded when the form opens (lists bounded by people and
 * accounts, not by grants).
 */
export function AddGrantForm({
  workspaceId,
  account,
  assets,
  onDone,
  initial = {},
}: {
  workspaceId: string;
  account: AccountView;
  /** The account's assets and those shared with it. */
  assets: GrantFormAsset[];
  onDone: () => void;
  /** Pre-filled from where the form was opened (a finished guide, a finding). */
  initial?: { subjectType?: "person" | "partner"; personId?: string; status?: "active" | "pending" };
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const platform = getPlatform(account.platform);
  const [target, setTarget] = useState("");
  const [subjectType, setSubjectType] = useState<string>(initial.subjectType ?? "person");
  const people = useList(workspaceId, "people", subjectType === "person");
  const accounts = useList(workspaceId, "accounts", subjectType === "partner");
  const logins = useList(workspaceId, "sharedLogins", subjectType === "shared_login");
  const level = target ? (assets.find((a) => a.id === target)?.type ?? "account") : "account";
  const roles = platform
    ? rolesAt(platform, level).length
      ? rolesAt(platform, level)
      : platform.accountRoles
    : [];
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const subject =
      subjectType === "person"
        ? { type: "person", personId: str(f, "person") }
        : subjectType === "partner"
          ? { type: "partner", accountId: str(f, "partner") }
          : subjectType === "shared_login"
            ? { type: "shared_login", sharedLoginId: str(f, "login") }
            : { type: "system_user", name: str(f, "systemUser") };
    await run(() =>
      api(`/workspaces/${workspaceId}/grants`, {
        body: {
          subject,
          target: { accountId: account.id, assetId: orNull(target) },
          role: str(f, "role"),
          status: str(f, "status"),
          ...(subjectType === "system_user" ? { grantedBy: orNull(str(f, "grantedBy")) } : {}),
        },
      }),
    );
  }
  const partners = (accounts.data ?? []).filter(
    (a) => a.platform === account.platform && a.id !== account.id,
  );
  const list = { person: people, partner: accounts, shared_login: logins }[subjectType];
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Record access">
      <ErrorNote error={error} />
      <Select
        label="Who"
        name="subjectType"
        value={subjectType}
        onChange={(e) => setSubjectType(e.target.value)}
      >
        <option value="person">A person</option>
        {platform?.partner && <option value="partner">A partner account ({platform.partner.name})</option>}
        <option value="shared_login">A shared login</option>
        <option value="system_user">A system user</option>
      </Select>
      {list?.error && <Alert>{list.error.message}</Alert>}
      {list?.isPending && <Loading />}
      {subjectType === "person" && people.data && (
        <Select label="Person" name="person" required defaultValue={initial.personId}>
          {people.data.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
              {p.emails[0] ? ` (${p.emails[0]})` : ""}
            </option>
          ))}
        </Select>
      )}
      {subjectType === "partner" && accounts.data && (
        <Select label="Partner account" name="partner" required>
          {partners.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
      )}
      {subjectType === "shared_login" && logins.data && (
        <Select label="Shared login" name="login" required>
          {logins.data.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </Select>
      )}
      {subjectType === "system_user" && (
        <>
          <Field label="System user name" name="systemUser" required />
          <Field
            label="Set up by (a name or email)"
            name="grantedBy"
            hint={
              platform?.systemUsers
                ? "Its token keeps working after this person leaves; Delvia warns you when they do."
                : undefined
            }
          />
        </>
      )}
      <Select label="On" name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">The whole account</option>
        {assets.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
            {a.shared ? " (shared with this account)" : ""}
          </option>
        ))}
      </Select>
      {roles.length ? (
        <Select label="Role" name="role" key={level}>
          {[...roles].reverse().map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
              {r.summary ? ` — ${r.summary}` : ""}
            </option>
          ))}
        </Select>
      ) : (
        <Field label="Role" name="role" required />
      )}
      <Select label="Status" name="status" defaultValue={initial.status ?? "active"}>
        <option value="active">Active</option>
        <option value="pending">Invited, not accepted yet</option>
        <option value="revoked">Removed</option>
      </Select>
      <Button type="submit" disabled={busy || !!list?.isPending}>
        Record access
      </Button>
    </form>
  );
}
