import { passkey } from "@better-auth/passkey";
import { betterAuth } from "better-auth";
import { organization, twoFactor } from "better-auth/plugins";
import { createAccessControl } from "better-auth/plugins/access";
import type { Kysely } from "kysely";
import type { Config } from "../../config/config.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { Dialect } from "../../store/database.ts";
import type { DB } from "../../store/schema.ts";
import type { Mailer } from "../mail/mailer.ts";

/**
 * better-auth's own access control is used only for its organization endpoints, which Delvia
 * does not expose directly: Delvia's routes call them server-side after its own policy check.
 * The statements mirror `core/workspace-roles.ts`.
 */
const ac = createAccessControl({
  organization: ["update", "delete"],
  member: ["create", "update", "delete"],
  invitation: ["create", "cancel"],
} as const);

const roles = {
  owner: ac.newRole({
    organization: ["update", "delete"],
    member: ["create", "update", "delete"],
    invitation: ["create", "cancel"],
  }),
  admin: ac.newRole({
    organization: [],
    member: ["create", "update", "delete"],
    invitation: ["create", "cancel"],
  }),
  editor: ac.newRole({ organization: [], member: [], invitation: [] }),
  viewer: ac.newRole({ organization: [], member: [], invitation: [] }),
};

export const INVITATION_LIFETIME_SECONDS = 7 * 24 * 3600;

export interface AuthDeps {
  config: Config;
  db: Kysely<DB>;
  dialect: Dialect;
  mailer: Mailer;
  /** Test instances use a cheap hash; production uses better-auth's scrypt. */
  fastPasswordHashing?: boolean;
}

export function createAuth({ config, db, dialect, mailer, fastPasswordHashing }: AuthDeps) {
  const url = new URL(config.publicUrl);
  return betterAuth({
    appName: "Delvia",
    baseURL: config.publicUrl,
    basePath: "/api/auth",
    secret: config.secret,
    trustedOrigins: [url.origin, ...config.trustedOrigins],
    database: { db: db as unknown as Kysely<unknown>, type: dialect },
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      resetPasswordTokenExpiresIn: 3600,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url: link }) => {
        await mailer.send({
          to: user.email,
          subject: "Reset your Delvia password",
          text: `Someone asked to reset the password of your Delvia account.\n\nTo choose a new password, open this link within an hour:\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.`,
        });
      },
      ...(fastPasswordHashing
        ? {
            password: {
              hash: async (p: string) => `plain:${p}`,
              verify: async ({ hash, password }: { hash: string; password: string }) =>
                hash === `plain:${password}`,
            },
          }
        : {}),
    },
    session: {
      expiresIn: 30 * 24 * 3600,
      updateAge: 24 * 3600,
      // No cookie cache: a revoked session must stop working on the very next request.
      cookieCache: { enabled: false },
    },
    rateLimit: {
      enabled: true,
      // Stored in the database so limits hold across several app servers.
      storage: "database",
      window: 60,
      max: 100,
      customRules: {
        "/sign-in/email": { window: 60, max: 5 },
        "/sign-up/email": { window: 60, max: 5 },
        "/request-password-reset": { window: 300, max: 3 },
        "/reset-password": { window: 300, max: 5 },
        "/two-factor/verify-totp": { window: 60, max: 5 },
        "/two-factor/verify-backup-code": { window: 60, max: 5 },
      },
    },
    advanced: {
      useSecureCookies: url.protocol === "https:",
      cookiePrefix: "delvia",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      database: { generateId: () => uuidv7() },
      ipAddress: { ipAddressHeaders: ["x-delvia-client-ip"] },
    },
    plugins: [
      organization({
        ac,
        roles,
        creatorRole: "owner",
        allowUserToCreateOrganization: true,
        invitationExpiresIn: INVITATION_LIFETIME_SECONDS,
        cancelPendingInvitationsOnReInvite: true,
        requireEmailVerificationOnInvitation: false,
        // Delvia sends its own invitation emails from the invitation route, with the link.
        sendInvitationEmail: async () => {},
      }),
      twoFactor({ issuer: "Delvia" }),
      passkey({ rpID: url.hostname, rpName: "Delvia", origin: url.origin }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
