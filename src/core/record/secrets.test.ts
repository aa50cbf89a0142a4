import { describe, expect, it } from "vitest";
import { looksLikeSecret } from "./secrets.ts";

describe("looksLikeSecret", () => {
  it.each([
    ["password: hunter22", "labelled"],
    ["pwd=CorrectHorse9", "labelled"],
    ["EAAGm0PX4ZCpsBAKZAZBqZCZC5x1e2z3y4x5w6v7u8", "Meta access token"],
    ["ya29.a0AfH6SMBx3z-very-long-google-token-value", "Google OAuth token"],
    ["sk_live_51HxYzAbCdEfGhIjKlMn", "API secret key"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT"],
    ["Tr0ub4dor&3xK!9pLm#2vQ8zR", "random"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"],
    ["otpauth://totp/Meta:jane?secret=JBSWY3DPEHPK3PXP", "two-factor seed"],
  ])("refuses %s", (value, why) => {
    expect(looksLikeSecret(value)).toMatch(new RegExp(why, "i"));
  });

  it.each([
    "Jane Doe",
    "jane.doe+ads@agency-name.example.com",
    "7012345678901234567",
    "act_1234567890123",
    "UA-12345678-1",
    "G-ABCDEFGHIJ",
    "0193a5b0-7c1e-7000-8000-000000000000",
    "Acme Bakery's TikTok Business Center (BC 7012…)",
    "The agency's designer knows the Instagram login; rotate it when she leaves.",
    "https://business.facebook.com/settings/people?business_id=1234567890123456",
    "Recovery email held by the owner; 2FA device: Olivia's phone",
  ])("lets ordinary text through: %s", (value) => {
    expect(looksLikeSecret(value)).toBeNull();
  });
});
