import { type FormEvent, useState } from "react";
import { getPlatform, rolesAt } from "../../../core/catalog/index.ts";
import { api } from "../api.ts";
import { Alert, Button, Field, Loading, Select } from "../components/ui.tsx";
import {
  type AccountView,
  type GrantView,
  type PersonView,
  type RecordData,
  type SharedLoginView,
  useList,
} from "./record-api.ts";
import { ErrorNote, orNull, str, useSubmit } from "./record-forms.tsx";

/**
 * A grant as the API takes it back (PUT): its own fields only, whatever else the view carried
 * (a page's labels, timestamps).
 */
export function grantInput(g: GrantView) {
  return {
    id: g.id,
    subject: g.subject,
    target: g.target,
    role: g.role,
    status: g.status,
    invitedOn: g.invitedOn,
    grantedOn: g.grantedOn,
    expiresOn: g.expiresOn,
    revokedOn: g.revokedOn,
    grantedBy: g.grantedBy,
    reason: g.reason,
    source: g.source,
    lastVerifiedOn: g.lastVerifiedOn,
    notes: g.notes,
  };
}

/** Change a grant's role, status, end date or notes; or delete a grant recorded by mistake. */
export function EditGrantForm({
  workspaceId,
  grant,
  platform: platformKey,
  level,
  onDone,
}: {
  workspaceId: string;
  grant: GrantView;
  /** The platform of the account the grant is recorded in. */
  platform: string;
  /** "account", or the type of the grant's asset: the roles offered are that level's. */
  level: string;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const platform = getPlatform(platformKey);
  const roles = platform
    ? rolesAt(platform, level).length
      ? rolesAt(platform, level)
      : platform.accountRoles
    : [];
  const [status, setStatus] = useState(grant.status);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const { id, ...input } = grantInput(grant);
    const today = new Date().toISOString().slice(0, 10);
    await run(() =>
      api(`/workspaces/${workspaceId}/grants/${id}`, {
        method: "PUT",
        body: {
          ...input,
          role: str(f, "role"),
          status,
          expiresOn: orNull(str(f, "expiresOn")),
          revokedOn: status === "revoked" ? (input.revokedOn ?? today) : null,
          grantedOn: status === "active" ? (input.grantedOn ?? today) : input.grantedOn,
          notes: orNull(str(f, "notes")),
        },
      }),
    );
  }
  const remove = async () => {
    if (
      !window.confirm(
        "Delete this grant from the record? Use this only for a grant recorded by mistake; to record that access was removed, set it to revoked.",
      )
    )
      return;
    await run(() => api(`/workspaces/${workspaceId}/grants/${grant.id}`, { method: "DELETE" }));
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Change this access">
      <ErrorNote error={error} />
      {roles.length ? (
        <Select label="Role" name="role" defaultValue={grant.role}>
          {roles.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </Select>
      ) : (
        <Field label="Role" name="role" defaultValue={grant.role} required />
      )}
      <Select
        label="Status"
        value={status}
        onChange={(e) => setStatus(e.target.value as GrantView["status"])}
      >
        <option value="pending">Pending (invited, not yet accepted)</option>
        <option value="active">Active</option>
        <option value="revoked">Revoked (removed on the platform)</option>
      </Select>
      <Field
        label="Ends on (optional)"
        name="expiresOn"
        type="date"
        defaultValue={grant.expiresOn ?? ""}
        error={error?.field("expiresOn")}
      />
      <Field label="Notes" name="notes" defaultValue={grant.notes ?? ""} error={error?.field("notes")} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={busy}>
          Save
        </Button>
        <Button variant="danger" disabled={busy} onClick={() => void remove()}>
          Delete (recorded by mistake)
        </Button>
      </div>
    </form>
  );
}

/** Change a person: name, emails, organization, and whether they left (and when). */
export function EditPersonForm({
  workspaceId,
  person,
  onDone,
}: {
  workspaceId: string;
  person: PersonView;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const organizations = useList(workspaceId, "organizations");
  const [status, setStatus] = useState(person.status);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(() =>
      api(`/workspaces/${workspaceId}/people/${person.id}`, {
        method: "PATCH",
        body: {
          name: str(f, "name"),
          emails: str(f, "emails")
            .split(/[\s,;]+/)
            .filter(Boolean),
          organizationId: orNull(str(f, "organizationId")),
          status,
          leftOn:
            status === "departed"
              ? (orNull(str(f, "leftOn")) ?? new Date().toISOString().slice(0, 10))
              : null,
          notes: orNull(str(f, "notes")),
        },
      }),
    );
  }
  if (organizations.error) return <Alert>{organizations.error.message}</Alert>;
  if (organizations.isPending) return <Loading />;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Change this person">
      <ErrorNote error={error} />
      <Field label="Name" name="name" defaultValue={person.name} required error={error?.field("name")} />
      <Field
        label="Emails"
        name="emails"
        defaultValue={person.emails.join(", ")}
        hint="Separate several with commas."
        error={error?.field("emails") ?? error?.problems.find((p) => p.path.startsWith("emails"))?.message}
      />
      <Select label="Organization" name="organizationId" defaultValue={person.organizationId ?? ""}>
        <option value="">None</option>
        {(organizations.data ?? []).map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
      <Select
        label="Status"
        value={status}
        onChange={(e) => setStatus(e.target.value as PersonView["status"])}
      >
        <option value="active">Works with us</option>
        <option value="departed">Has left</option>
      </Select>
      {status === "departed" && (
        <Field
          label="Left on"
          name="leftOn"
          type="date"
          defaultValue={person.leftOn ?? new Date().toISOString().slice(0, 10)}
        />
      )}
      <Field label="Notes" name="notes" defaultValue={person.notes ?? ""} />
      <Button type="submit" disabled={busy}>
        Save
      </Button>
    </form>
  );
}

/** Change an account's details: name, platform ID, owners, review cadence, who holds recovery. */
export function EditAccountForm({
  workspaceId,
  account,
  onDone,
}: {
  workspaceId: string;
  account: AccountView;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const list = useList(workspaceId, "people");
  const people = (list.data ?? []).filter(
    (p) => p.status !== "departed" || p.id === account.ownerPersonId || p.id === account.backupOwnerPersonId,
  );
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const cadence = str(f, "reviewCadenceDays");
    await run(() =>
      api(`/workspaces/${workspaceId}/accounts/${account.id}`, {
        method: "PATCH",
        body: {
          name: str(f, "name"),
          platformId: orNull(str(f, "platformId")),
          ownerPersonId: orNull(str(f, "ownerPersonId")),
          backupOwnerPersonId: orNull(str(f, "backupOwnerPersonId")),
          reviewCadenceDays: cadence === "" ? null : Number(cadence),
          lastReviewedOn: orNull(str(f, "lastReviewedOn")),
          recoveryEmailHolder: orNull(str(f, "recoveryEmailHolder")),
          twoFactorHolder: orNull(str(f, "twoFactorHolder")),
          notes: orNull(str(f, "notes")),
        },
      }),
    );
  }
  const personSelect = (label: string, name: string, value: string | null) => (
    <Select label={label} name={name} defaultValue={value ?? ""}>
      <option value="">Nobody</option>
      {people.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </Select>
  );
  if (list.error) return <Alert>{list.error.message}</Alert>;
  if (list.isPending) return <Loading />;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Change this account">
      <ErrorNote error={error} />
      <Field label="Name" name="name" defaultValue={account.name} required error={error?.field("name")} />
      <Field
        label="Platform ID"
        name="platformId"
        defaultValue={account.platformId ?? ""}
        error={error?.field("platformId")}
      />
      {personSelect("Accountable owner", "ownerPersonId", account.ownerPersonId)}
      {personSelect("Backup owner", "backupOwnerPersonId", account.backupOwnerPersonId)}
      <Field
        label="Review every (days)"
        name="reviewCadenceDays"
        type="number"
        min={1}
        max={3660}
        defaultValue={account.reviewCadenceDays ?? ""}
        error={error?.field("reviewCadenceDays")}
      />
      <Field
        label="Last reviewed on"
        name="lastReviewedOn"
        type="date"
        defaultValue={account.lastReviewedOn ?? ""}
      />
      <Field
        label="Who holds the recovery email (a name or email)"
        name="recoveryEmailHolder"
        defaultValue={account.recoveryEmailHolder ?? ""}
        error={error?.field("recoveryEmailHolder")}
      />
      <Field
        label="Who holds two-step verification (a name or email)"
        name="twoFactorHolder"
        defaultValue={account.twoFactorHolder ?? ""}
        error={error?.field("twoFactorHolder")}
      />
      <Field label="Notes" name="notes" defaultValue={account.notes ?? ""} error={error?.field("notes")} />
      <Button type="submit" disabled={busy}>
        Save
      </Button>
    </form>
  );
}

/** Record a shared login (a name for it, never the password) and who knows it; or change who knows it. */
export function SharedLoginForm({
  workspaceId,
  record,
  login,
  onDone,
}: {
  workspaceId: string;
  record: RecordData;
  login?: SharedLoginView;
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  const [knowers, setKnowers] = useState<string[]>(login?.knownByPersonIds ?? []);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body = { label: str(f, "label"), knownByPersonIds: knowers, notes: orNull(str(f, "notes")) };
    await run(() =>
      login
        ? api(`/workspaces/${workspaceId}/shared-logins/${login.id}`, { method: "PATCH", body })
        : api(`/workspaces/${workspaceId}/shared-logins`, { body }),
    );
  }
  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-3"
      aria-label={login ? "Change the shared login" : "Record a shared login"}
    >
      <ErrorNote error={error} />
      <Field
        label="Label"
        name="label"
        defaultValue={login?.label ?? ""}
        hint="A name for the login, e.g. “Instagram team login”. Never the password."
        required
        error={error?.field("label")}
      />
      <fieldset className="flex flex-col gap-1">
        <legend className="text-sm font-medium">Who knows it</legend>
        {record.people.map((p) => (
          <label key={p.id} className="flex min-h-11 items-center gap-3">
            <input
              type="checkbox"
              className="h-5 w-5"
              checked={knowers.includes(p.id)}
              onChange={(e) =>
                setKnowers(e.target.checked ? [...knowers, p.id] : knowers.filter((x) => x !== p.id))
              }
            />
            {p.name}
            {p.status === "departed" && (
              <span className="text-sm text-red-700 dark:text-red-300">(has left)</span>
            )}
          </label>
        ))}
      </fieldset>
      <Field label="Notes" name="notes" defaultValue={login?.notes ?? ""} error={error?.field("notes")} />
      <Button type="submit" disabled={busy}>
        {login ? "Save" : "Record the shared login"}
      </Button>
    </form>
  );
}

const ORG_KINDS: { value: string; label: string }[] = [
  { value: "own", label: "Our business" },
  { value: "client", label: "A client" },
  { value: "agency", label: "An agency" },
  { value: "vendor", label: "A vendor or contractor" },
  { value: "other", label: "Other" },
];

/** Add an organization, or rename one and change what it is to you. */
export function OrganizationForm({
  workspaceId,
  org,
  onDone,
}: {
  workspaceId: string;
  org?: { id: string; name: string; kind: string; notes: string | null };
  onDone: () => void;
}) {
  const { error, busy, run } = useSubmit(workspaceId, onDone);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body = { name: str(f, "name"), kind: str(f, "kind"), notes: orNull(str(f, "notes")) };
    await run(() =>
      org
        ? api(`/workspaces/${workspaceId}/organizations/${org.id}`, { method: "PATCH", body })
        : api(`/workspaces/${workspaceId}/organizations`, { body }),
    );
  }
  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-3"
      aria-label={org ? "Change the organization" : "Add an organization"}
    >
      <ErrorNote error={error} />
      <Field label="Name" name="name" defaultValue={org?.name ?? ""} required error={error?.field("name")} />
      <Select label="What it is to you" name="kind" defaultValue={org?.kind ?? "client"}>
        {ORG_KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {k.label}
          </option>
        ))}
      </Select>
      <Field label="Notes" name="notes" defaultValue={org?.notes ?? ""} />
      <Button type="submit" disabled={busy}>
        {org ? "Save" : "Add the organization"}
      </Button>
    </form>
  );
}

export const orgKindLabel = (kind: string) => ORG_KINDS.find((k) => k.value === kind)?.label ?? kind;
