import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { authClient } from "../auth.ts";
import { ThemeToggle } from "../components/theme.tsx";
import { Alert, Button, Card, Field, Loading, PageTitle } from "../components/ui.tsx";
import { useMe } from "../queries.ts";

function TwoFactorCard({ enabled }: { enabled: boolean }) {
  const qc = useQueryClient();
  const [setup, setSetup] = useState<{ uri: string; codes: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  async function start(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const password = String(new FormData(e.currentTarget).get("password") ?? "");
    const r = enabled
      ? await authClient.twoFactor.disable({ password })
      : await authClient.twoFactor.enable({ password });
    if (r.error) return setError("That password is not right.");
    if (enabled) {
      setDone("Two-factor is off.");
      await qc.invalidateQueries({ queryKey: ["me"] });
      return;
    }
    const data = r.data as { totpURI: string; backupCodes: string[] };
    setSetup({ uri: data.totpURI, codes: data.backupCodes });
  }
  async function verify(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const r = await authClient.twoFactor.verifyTotp({
      code: String(new FormData(e.currentTarget).get("code") ?? ""),
    });
    if (r.error) return setError("That code did not work: try the newest one.");
    setSetup(null);
    setDone("Two-factor is on. Keep your backup codes somewhere safe.");
    await qc.invalidateQueries({ queryKey: ["me"] });
  }
  const secret = setup ? new URL(setup.uri).searchParams.get("secret") : null;
  return (
    <Card title="Two-factor authentication">
      <div className="flex flex-col gap-4">
        <p className="text-slate-700 dark:text-slate-300">
          {enabled
            ? "On: signing in asks for a code from your authenticator app."
            : "Off. Turn it on: this record says who can get into your accounts, so protect it well."}
        </p>
        {error && <Alert>{error}</Alert>}
        {done && <Alert tone="success">{done}</Alert>}
        {setup ? (
          <form onSubmit={verify} className="flex flex-col gap-4">
            <p>
              Add this key to your authenticator app (or open the link on this phone), then enter the code it
              shows.
            </p>
            <p className="rounded-lg bg-slate-100 p-3 font-mono text-sm break-all dark:bg-slate-800">
              {secret}
            </p>
            <a href={setup.uri} className="font-semibold text-brand-700 underline dark:text-brand-100">
              Open in an authenticator app
            </a>
            <details>
              <summary className="cursor-pointer font-medium">Backup codes (each works once)</summary>
              <ul className="mt-2 grid grid-cols-2 gap-1 font-mono text-sm">
                {setup.codes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </details>
            <Field
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
            />
            <Button type="submit">Turn on two-factor</Button>
          </form>
        ) : (
          <form onSubmit={start} className="flex flex-col gap-4">
            <Field
              label="Your password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
            <Button type="submit" variant={enabled ? "danger" : "primary"}>
              {enabled ? "Turn off two-factor" : "Set up two-factor"}
            </Button>
          </form>
        )}
      </div>
    </Card>
  );
}

function PasskeysCard() {
  const passkeys = useQuery({
    queryKey: ["passkeys"],
    queryFn: async () => (await authClient.passkey.listUserPasskeys()).data ?? [],
  });
  const [error, setError] = useState<string | null>(null);
  async function add() {
    setError(null);
    const r = await authClient.passkey.addPasskey({ name: navigator.platform || "This device" });
    if (r?.error) setError(r.error.message ?? "The passkey was not added.");
    await passkeys.refetch();
  }
  return (
    <Card title="Passkeys">
      <div className="flex flex-col gap-3">
        <p className="text-slate-700 dark:text-slate-300">
          Sign in with your phone's or computer's screen lock instead of a password.
        </p>
        {error && <Alert>{error}</Alert>}
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {(passkeys.data ?? []).map((p) => (
            <li key={p.id} className="flex items-center justify-between gap-2 py-2">
              <span>{p.name ?? "Passkey"}</span>
              <Button
                variant="ghost"
                onClick={async () => {
                  await authClient.passkey.deletePasskey({ id: p.id });
                  await passkeys.refetch();
                }}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
        <Button variant="secondary" onClick={add}>
          Add a passkey
        </Button>
      </div>
    </Card>
  );
}

export function AccountPage() {
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to="/sign-in" />;
  return (
    <main id="main" className="mx-auto max-w-2xl px-4 py-6">
      <div className="mb-4 flex items-center justify-between">
        <Link
          to="/"
          className="inline-flex min-h-11 items-center font-semibold text-brand-700 dark:text-brand-100"
        >
          ← Back
        </Link>
        <ThemeToggle />
      </div>
      <PageTitle sub={me.data.user.email}>{me.data.user.name}</PageTitle>
      <div className="flex flex-col gap-4">
        <TwoFactorCard enabled={me.data.user.twoFactorEnabled} />
        <PasskeysCard />
        <Card title="Session">
          <Button
            variant="secondary"
            onClick={async () => {
              await authClient.signOut();
              qc.clear();
              await navigate({ to: "/sign-in" });
            }}
          >
            Sign out
          </Button>
        </Card>
      </div>
    </main>
  );
}
