import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import {
  type ApiError,
  api,
  atLeast,
  type Invitation,
  type Member,
  type Role,
  type Workspace,
} from "../api.ts";
import { authClient } from "../auth.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { ErrorScreen } from "../components/error-boundary.tsx";
import { AppShell, NeedsRole } from "../components/shell.tsx";
import { Alert, Badge, Button, Card, Field, Loading, PageTitle, Select } from "../components/ui.tsx";
import { useInstance, useMe } from "../queries.ts";
import { Dashboard } from "./dashboard.tsx";

/** `/app`: send each visitor where they belong. */
export function EntryPage() {
  const instance = useInstance();
  const me = useMe();
  if (instance.isPending || me.isPending) return <Loading />;
  // Without an answer we cannot tell signed out from unreachable; sending people to sign-in
  // would wrongly suggest their session is gone.
  const failure = instance.error ?? me.error;
  if (failure)
    return (
      <ErrorScreen
        error={failure}
        onRetry={() => {
          void instance.refetch();
          void me.refetch();
        }}
      />
    );
  if (instance.data?.needsSetup) return <Navigate to="/sign-up" />;
  if (!me.data) return <Navigate to="/sign-in" />;
  const first = me.data.workspaces[0];
  if (!first) return <Navigate to="/new-workspace" />;
  const last = localStorage.getItem("delvia-workspace");
  const ws = me.data.workspaces.find((w) => w.slug === last) ?? first;
  return <Navigate to="/w/$slug" params={{ slug: ws.slug }} />;
}

export function NewWorkspacePage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const me = useMe();
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "");
    try {
      const ws = await api<Workspace>("/workspaces", { body: { name } });
      await qc.invalidateQueries({ queryKey: ["me"] });
      await navigate({ to: "/w/$slug", params: { slug: ws.slug } });
    } catch (err) {
      setError(err as ApiError);
    }
  }
  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to="/sign-in" />;
  return (
    <AuthLayout
      title="Name your workspace"
      sub="A workspace holds one business's access record (or an agency's, with its clients). You can invite teammates next."
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {error && !error.field("name") && <Alert>{error.message}</Alert>}
        <Field
          label="Workspace name"
          name="name"
          required
          placeholder="e.g. Acme Bakery"
          error={error?.field("name")}
        />
        <Button type="submit">Create workspace</Button>
      </form>
    </AuthLayout>
  );
}

/** Resolves `/w/$slug` to a workspace of the signed-in user, or explains why it cannot. */
export function useWorkspace(): { workspace?: Workspace; element?: React.ReactElement } {
  const { slug } = useParams({ strict: false }) as { slug: string };
  const me = useMe();
  if (me.isPending) return { element: <Loading /> };
  if (!me.data) return { element: <Navigate to="/sign-in" search={{ next: window.location.pathname }} /> };
  const workspace = me.data.workspaces.find((w) => w.slug === slug);
  if (!workspace) return { element: <Navigate to="/" /> };
  localStorage.setItem("delvia-workspace", workspace.slug);
  return { workspace };
}

export function WorkspaceHomePage() {
  const { workspace, element } = useWorkspace();
  if (!workspace) return element!;
  return (
    <AppShell workspace={workspace}>
      <PageTitle
        sub={`You are ${workspace.role === "owner" || workspace.role === "admin" ? "an" : "a"} ${workspace.role} here.`}
      >
        {workspace.name}
      </PageTitle>
      <Dashboard workspace={workspace} />
      <div className="mt-6 grid grid-cols-1 gap-4 md:grid-cols-2">
        <Card title="Keep the record current">
          <ol className="list-decimal space-y-2 pl-5 text-slate-700 dark:text-slate-300">
            <li>
              <Link
                to="/w/$slug/accounts"
                params={{ slug: workspace.slug }}
                className="font-semibold text-brand-700 underline dark:text-brand-100"
              >
                Add the accounts
              </Link>{" "}
              your business depends on: TikTok Business Center, Meta Business portfolio, Google Ads…
            </li>
            <li>Record who holds which role on each, and who owns it.</li>
            <li>Or import the spreadsheet you keep today.</li>
          </ol>
        </Card>
        <Card title="Guides">
          <p className="text-slate-700 dark:text-slate-300">Step-by-step pages for every access task.</p>
          <a
            href="/guides"
            className="mt-3 inline-flex min-h-11 items-center font-semibold text-brand-700 underline dark:text-brand-100"
          >
            Open the guide library
          </a>
        </Card>
      </div>
    </AppShell>
  );
}

const ROLE_HELP: Record<Role, string> = {
  viewer: "Viewer — sees the record",
  editor: "Editor — changes the record",
  admin: "Admin — also manages the team",
  owner: "Owner — everything, including the workspace itself",
};

function InviteForm({ workspace }: { workspace: Workspace }) {
  const qc = useQueryClient();
  const instance = useInstance();
  const [error, setError] = useState<ApiError | null>(null);
  const [sent, setSent] = useState<Invitation | null>(null);
  const roles: Role[] =
    workspace.role === "owner" ? ["viewer", "editor", "admin", "owner"] : ["viewer", "editor"];
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setError(null);
    try {
      const inv = await api<Invitation>(`/workspaces/${workspace.id}/invitations`, {
        body: { email: data.get("email"), role: data.get("role") },
      });
      setSent(inv);
      form.reset();
      await qc.invalidateQueries({ queryKey: ["invitations", workspace.id] });
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <Card title="Invite a teammate">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {error && !error.field("email") && <Alert>{error.message}</Alert>}
        {sent && (
          <Alert tone="success">
            Invitation for {sent.email} created.{" "}
            {instance.data?.emailConfigured
              ? "We emailed them the link."
              : "Email is not set up here: copy the link below and send it yourself."}
          </Alert>
        )}
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          required
          error={error?.field("email")}
        />
        <Select label="Role" name="role" defaultValue="viewer">
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_HELP[r]}
            </option>
          ))}
        </Select>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Start with the narrowest role that does the job; you can raise it later.
        </p>
        <Button type="submit">Send invitation</Button>
      </form>
    </Card>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
      aria-live="polite"
    >
      {copied ? "Copied" : "Copy invitation link"}
    </Button>
  );
}

export function MembersPage() {
  const { workspace, element } = useWorkspace();
  const qc = useQueryClient();
  const me = useMe();
  const navigate = useNavigate();
  const members = useQuery({
    queryKey: ["members", workspace?.id],
    queryFn: () => api<{ members: Member[] }>(`/workspaces/${workspace!.id}/members`),
    enabled: !!workspace,
  });
  const canManage = !!workspace && atLeast(workspace.role, "admin");
  const invitations = useQuery({
    queryKey: ["invitations", workspace?.id],
    queryFn: () => api<{ invitations: Invitation[] }>(`/workspaces/${workspace!.id}/invitations`),
    enabled: canManage,
  });
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      api(`/workspaces/${workspace!.id}/members/${id}`, { method: "PATCH", body: { role } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["members", workspace?.id] }),
    onError: (e) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/workspaces/${workspace!.id}/members/${id}`, { method: "DELETE" }),
    onError: (e) => setError(e.message),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api(`/workspaces/${workspace!.id}/invitations/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["invitations", workspace?.id] }),
  });
  if (!workspace) return element!;
  const self = members.data?.members.find((m) => m.userId === me.data?.user.id);
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub="Everyone here has their own login and a role in this workspace.">Team</PageTitle>
      {error && (
        <div className="mb-4">
          <Alert>{error}</Alert>
        </div>
      )}
      <div className="grid min-w-0 grid-cols-1 gap-4 lg:grid-cols-[1fr_20rem]">
        <Card title="Members">
          {members.isPending ? (
            <Loading />
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800">
              {members.data?.members.map((m) => (
                <li key={m.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                  <div className="min-w-0">
                    <p className="truncate font-medium">
                      {m.name} {m.id === self?.id && <span className="text-slate-500">(you)</span>}
                    </p>
                    <p className="truncate text-sm text-slate-600 dark:text-slate-400">{m.email}</p>
                  </div>
                  {canManage &&
                  m.id !== self?.id &&
                  (workspace.role === "owner" || (m.role !== "owner" && m.role !== "admin")) ? (
                    <div className="flex items-center gap-2">
                      <label className="sr-only" htmlFor={`role-${m.id}`}>
                        Role of {m.name}
                      </label>
                      <select
                        id={`role-${m.id}`}
                        value={m.role}
                        onChange={(e) => change.mutate({ id: m.id, role: e.target.value as Role })}
                        className="min-h-11 rounded-lg border border-slate-300 bg-white px-2 text-sm dark:border-slate-600 dark:bg-slate-900"
                      >
                        {(workspace.role === "owner"
                          ? ["viewer", "editor", "admin", "owner"]
                          : ["viewer", "editor"]
                        ).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      <Button
                        variant="danger"
                        onClick={() =>
                          confirm(`Remove ${m.name} from ${workspace.name}?`) &&
                          remove.mutate(m.id, {
                            onSuccess: () => qc.invalidateQueries({ queryKey: ["members", workspace.id] }),
                          })
                        }
                      >
                        Remove
                      </Button>
                    </div>
                  ) : (
                    <Badge>{m.role}</Badge>
                  )}
                </li>
              ))}
            </ul>
          )}
          {self && (
            <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800">
              <Button
                variant="ghost"
                onClick={() =>
                  confirm(`Leave ${workspace.name}? You will lose access to its record.`) &&
                  remove.mutate(self.id, {
                    onSuccess: async () => {
                      await qc.invalidateQueries({ queryKey: ["me"] });
                      await navigate({ to: "/" });
                    },
                  })
                }
              >
                Leave this workspace
              </Button>
            </div>
          )}
        </Card>
        <div className="flex flex-col gap-4">
          {canManage ? (
            <>
              <InviteForm workspace={workspace} />
              <Card title="Pending invitations">
                {invitations.data?.invitations.length ? (
                  <ul className="flex flex-col gap-3">
                    {invitations.data.invitations.map((i) => (
                      <li
                        key={i.id}
                        className="flex flex-col gap-2 rounded-lg bg-slate-50 p-3 dark:bg-slate-800"
                      >
                        <p className="font-medium break-all">{i.email}</p>
                        <p className="text-sm text-slate-600 dark:text-slate-300">
                          {i.role} ·{" "}
                          {i.status === "expired"
                            ? "expired"
                            : `expires ${new Date(i.expiresAt).toLocaleDateString()}`}
                        </p>
                        <div className="flex flex-wrap gap-2">
                          <CopyButton text={i.link} />
                          <Button variant="ghost" onClick={() => cancel.mutate(i.id)}>
                            Cancel
                          </Button>
                        </div>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="text-slate-600 dark:text-slate-400">No pending invitations.</p>
                )}
              </Card>
            </>
          ) : (
            <Card title="Inviting people">
              <p className="text-slate-700 dark:text-slate-300">
                Admins and owners invite teammates. Ask one of them if someone needs access.
              </p>
            </Card>
          )}
        </div>
      </div>
    </AppShell>
  );
}

export function SettingsPage() {
  const { workspace, element } = useWorkspace();
  const qc = useQueryClient();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!workspace) return element!;
  if (workspace.role !== "owner") {
    return (
      <AppShell workspace={workspace}>
        <NeedsRole needed="owner" what="change the workspace's settings" />
      </AppShell>
    );
  }
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    try {
      await api(`/workspaces/${workspace!.id}`, {
        method: "PATCH",
        body: { name: new FormData(e.currentTarget).get("name") },
      });
      setSaved(true);
      await qc.invalidateQueries({ queryKey: ["me"] });
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <AppShell workspace={workspace}>
      <PageTitle>Workspace settings</PageTitle>
      <Card>
        <form onSubmit={submit} className="flex max-w-md flex-col gap-4">
          {saved && <Alert tone="success">Saved.</Alert>}
          <Field
            label="Workspace name"
            name="name"
            defaultValue={workspace.name}
            error={error?.field("name")}
            required
          />
          <Button type="submit">Save</Button>
        </form>
      </Card>
    </AppShell>
  );
}

export function InvitePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const inv = useQuery({
    queryKey: ["invitation", id],
    queryFn: () =>
      api<{
        workspaceName: string;
        email: string;
        role: Role;
        status: string;
        inviterName: string;
        expiresAt: string;
      }>(`/invitations/${id}`),
  });
  const [error, setError] = useState<string | null>(null);
  if (inv.isPending || me.isPending) return <Loading />;
  if (inv.isError || !inv.data) {
    return (
      <AuthLayout title="Invitation not found">
        <p>This link does not match an invitation. Ask the person who invited you for a new one.</p>
      </AuthLayout>
    );
  }
  const i = inv.data;
  const next = `/app/invite/${id}`;
  async function accept() {
    try {
      const r = await api<{ workspace: Workspace }>(`/invitations/${id}/accept`, { method: "POST" });
      await qc.invalidateQueries({ queryKey: ["me"] });
      await navigate({ to: "/w/$slug", params: { slug: r.workspace.slug } });
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <AuthLayout
      title={`Join ${i.workspaceName}`}
      sub={`${i.inviterName} invited ${i.email} to join as ${i.role}.`}
    >
      {i.status !== "pending" ? (
        <Alert>
          {i.status === "expired"
            ? "This invitation has expired: ask for a new one."
            : `This invitation was ${i.status === "accepted" ? "already accepted" : "cancelled"}.`}
        </Alert>
      ) : me.data ? (
        <div className="flex flex-col gap-4">
          {error && <Alert>{error}</Alert>}
          <p>
            You are signed in as <strong>{me.data.user.email}</strong>.
          </p>
          {me.data.user.email !== i.email && (
            <Alert tone="info">
              The invitation is for {i.email}. Sign out and sign in with that address to accept it.
            </Alert>
          )}
          <Button onClick={accept}>Accept and open {i.workspaceName}</Button>
          <Button
            variant="ghost"
            onClick={async () => {
              await authClient.signOut();
              await qc.invalidateQueries({ queryKey: ["me"] });
            }}
          >
            Sign out
          </Button>
        </div>
      ) : (
        <div className="flex flex-col gap-3">
          <p>To accept, create your own Delvia login with {i.email}, or sign in if you have one.</p>
          <Link
            to="/sign-up"
            search={{ next, email: i.email }}
            className="inline-flex min-h-11 items-center justify-center rounded-lg bg-brand-700 px-4 font-semibold text-white"
          >
            Create my account
          </Link>
          <Link
            to="/sign-in"
            search={{ next }}
            className="inline-flex min-h-11 items-center justify-center rounded-lg px-4 font-semibold text-brand-700 ring-1 ring-slate-300 dark:text-brand-100"
          >
            I already have an account
          </Link>
        </div>
      )}
    </AuthLayout>
  );
}

/** `/app/record?guide=platform/slug`: the "record this" link at the end of an action guide. */
export function RecordThisPage() {
  const me = useMe();
  const { guide } = useSearch({ strict: false }) as { guide?: string };
  if (me.isPending) return <Loading />;
  if (!me.data)
    return (
      <Navigate
        to="/sign-in"
        search={{ next: `/app/record${guide ? `?guide=${encodeURIComponent(guide)}` : ""}` }}
      />
    );
  const last = localStorage.getItem("delvia-workspace");
  const ws = me.data.workspaces.find((w) => w.slug === last) ?? me.data.workspaces[0];
  if (!ws) return <Navigate to="/new-workspace" />;
  return <Navigate to="/w/$slug/accounts" params={{ slug: ws.slug }} search={{ guide }} />;
}
