import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/** better-auth's client, for sign-up, sign-in, two-factor, passkeys and password resets. */
export const authClient = createAuthClient({
  basePath: "/api/auth",
  plugins: [
    twoFactorClient({
      onTwoFactorRedirect() {
        window.location.assign("/app/two-factor");
      },
    }),
    passkeyClient(),
  ],
});
