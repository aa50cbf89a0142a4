import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { authClient } from "../auth.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { Alert, Button, Field } from "../components/ui.tsx";
import { useInstance } from "../queries.ts";

function useAfterSignIn() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return async (next?: string) => {
    // Drop what was cached while signed out, so the next screen waits for the fresh answer.
    qc.removeQueries({ queryKey: ["me"] });
    qc.removeQueries({ queryKey: ["instance"] });
    if (next?.startsWith("/app/")) window.location.assign(next);
    else await navigate({ to: "/" });
  };
}

const formString = (form: FormData, key: string) => String(form.get(key) ?? "");

export function SignUpPage() {
  const instance = useInstance();
  const { next, email: invitedEmail } = useSearch({ strict: false }) as { next?: string; email?: string };
  const done = useAfterSignIn();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const r = await authClient.signUp.email({
      name: formString(form, "name"),
      email: formString(form, "email"),
      password: formString(form, "password"),
    });
    setBusy(false);
    if (r.error) return setError(r.error.message ?? "Could not create the account.");
    await done(next);
  }
  const first = instance.data?.needsSetup;
  return (
    <AuthLayout
      title={first ? "Create the first account" : "Create your account"}
      sub={
        first
          ? "This Delvia is new. The first account you create becomes the owner of your first workspace."
          : "Your own login: teammates never share one."
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {error && <Alert>{error}</Alert>}
        <Field label="Your name" name="name" autoComplete="name" required />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={invitedEmail ?? ""}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters. A passphrase is easiest."
        />
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </Button>
        {!first && (
          <p className="text-sm">
            Already have an account?{" "}
            <Link
              to="/sign-in"
              search={{ next }}
              className="font-semibold text-brand-700 underline dark:text-brand-100"
            >
              Sign in
            </Link>
          </p>
        )}
      </form>
    </AuthLayout>
  );
}

export function SignInPage() {
  const { next } = useSearch({ strict: false }) as { next?: string };
  const done = useAfterSignIn();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    if (next) sessionStorage.setItem("delvia-next", next);
    const r = await authClient.signIn.email({
      email: formString(form, "email"),
      password: formString(form, "password"),
    });
    setBusy(false);
    if (r.error)
      return setError(
        r.error.status === 429
          ? "Too many attempts: wait a minute and try again."
          : "That email and password do not match an account.",
      );
    if ((r.data as { twoFactorRedirect?: boolean } | null)?.twoFactorRedirect) return;
    await done(next);
  }
  async function passkey() {
    setError(null);
    const r = await authClient.signIn.passkey();
    if (r?.error) return setError(r.error.message ?? "The passkey did not work.");
    await done(next);
  }
  return (
    <AuthLayout title="Sign in" sub="to your team's access record.">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {error && <Alert>{error}</Alert>}
        <Field label="Email" name="email" type="email" autoComplete="username webauthn" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        <Button variant="secondary" onClick={passkey}>
          Sign in with a passkey
        </Button>
        <div className="flex flex-wrap justify-between gap-2 text-sm">
          <Link to="/forgot-password" className="font-semibold text-brand-700 underline dark:text-brand-100">
            Forgot your password?
          </Link>
          <Link
            to="/sign-up"
            search={{ next }}
            className="font-semibold text-brand-700 underline dark:text-brand-100"
          >
            Create an account
          </Link>
        </div>
      </form>
    </AuthLayout>
  );
}

export function TwoFactorPage() {
  const done = useAfterSignIn();
  const [error, setError] = useState<string | null>(null);
  const [useBackup, setUseBackup] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const code = formString(new FormData(e.currentTarget), "code").replace(/\s/g, "");
    const r = useBackup
      ? await authClient.twoFactor.verifyBackupCode({ code })
      : await authClient.twoFactor.verifyTotp({ code });
    if (r.error)
      return setError(
        r.error.status === 429
          ? "Too many attempts: wait a minute."
          : "That code did not work. Check the time on your phone and try the newest code.",
      );
    const next = sessionStorage.getItem("delvia-next") ?? undefined;
    sessionStorage.removeItem("delvia-next");
    await done(next);
  }
  return (
    <AuthLayout
      title="Two-factor check"
      sub={
        useBackup ? "Enter one of your backup codes." : "Enter the 6-digit code from your authenticator app."
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        {error && <Alert>{error}</Alert>}
        <Field
          label={useBackup ? "Backup code" : "Code"}
          name="code"
          inputMode={useBackup ? "text" : "numeric"}
          autoComplete="one-time-code"
          required
          autoFocus
        />
        <Button type="submit">Verify</Button>
        <Button variant="ghost" onClick={() => setUseBackup(!useBackup)}>
          {useBackup ? "Use the authenticator app instead" : "Use a backup code instead"}
        </Button>
      </form>
    </AuthLayout>
  );
}

export function ForgotPasswordPage() {
  const instance = useInstance();
  const [sent, setSent] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    await authClient.requestPasswordReset({
      email: formString(new FormData(e.currentTarget), "email"),
      redirectTo: "/app/reset-password",
    });
    setSent(true);
  }
  return (
    <AuthLayout title="Reset your password" sub="We'll send a link to choose a new one.">
      {sent ? (
        <Alert tone="success">
          If an account uses that address, a reset link is on its way. It works for one hour.
          {instance.data &&
            !instance.data.emailConfigured &&
            " (This Delvia has no email server set up: the link is written to the server's log.)"}
        </Alert>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-4">
          <Field label="Email" name="email" type="email" autoComplete="email" required />
          <Button type="submit">Send the link</Button>
        </form>
      )}
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!token) return setError("This link has no token: open the link from the email again.");
    const r = await authClient.resetPassword({
      newPassword: formString(new FormData(e.currentTarget), "password"),
      token,
    });
    if (r.error) return setError("This link has expired or was already used: ask for a new one.");
    setDone(true);
  }
  return (
    <AuthLayout title="Choose a new password">
      {done ? (
        <Alert tone="success">
          Your password is changed and your other sessions are signed out.{" "}
          <Link to="/sign-in" className="font-semibold underline">
            Sign in
          </Link>
        </Alert>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-4">
          {error && <Alert>{error}</Alert>}
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={10}
            required
            hint="At least 10 characters."
          />
          <Button type="submit">Save the new password</Button>
        </form>
      )}
    </AuthLayout>
  );
}
