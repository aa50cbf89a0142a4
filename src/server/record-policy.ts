import type { Kysely } from "kysely";
import { getPlatform, resolveRole } from "../core/catalog/index.ts";
import { AppError, type FieldProblem } from "../core/errors.ts";
import type { GrantInput } from "../core/record/schemas.ts";
import { looksLikeSecret } from "../core/record/secrets.ts";
import type { DB } from "../store/schema.ts";

/**
 * Delvia never holds a third-party password or token. Every string in a Record write is checked;
 * anything that looks like a pasted secret refuses the whole write, naming the field and why.
 */
export function checkRecordInput<T>(input: T): T {
  const problems: FieldProblem[] = [];
  // Imports repeat the same names on many rows: each distinct string is judged once.
  const judged = new Map<string, string | null>();
  // The path is built only for a string found wanting: an import walks hundreds of thousands.
  const trail: (string | number)[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") {
      let reason = judged.get(value);
      if (reason === undefined) {
        reason = looksLikeSecret(value);
        judged.set(value, reason);
      }
      if (reason)
        problems.push({
          path: trail.join("."),
          message: `looks like a password or token (${reason}): Delvia records who knows a login, never the secret itself`,
        });
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        trail.push(i);
        walk(value[i]);
        trail.pop();
      }
    } else if (value && typeof value === "object")
      for (const k in value)
        if (Object.hasOwn(value, k)) {
          trail.push(k);
          walk((value as Record<string, unknown>)[k]);
          trail.pop();
        }
  };
  walk(input);
  if (problems.length) {
    throw new AppError(
      "VALIDATION_FAILED",
      `Remove the secret from ${problems.map((p) => p.path).join(", ")}: Delvia never stores passwords or tokens.`,
      { problems },
    );
  }
  return input;
}

/**
 * Check a grant's role against the catalog for the level it applies to (the account, or the
 * asset's type) and store the canonical name: "admin" on Meta becomes "Full control".
 * Custom platforms accept any role.
 */
export async function canonicalGrant(
  db: Kysely<DB>,
  workspaceId: string,
  input: GrantInput,
): Promise<GrantInput> {
  const account = await db
    .selectFrom("platform_account")
    .select(["platform"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", input.target.accountId)
    .executeTakeFirst();
  if (!account) return input; // the store reports the missing account with its field
  const platform = getPlatform(account.platform);
  if (!platform) return input;
  let level = "account";
  if (input.target.assetId) {
    const asset = await db
      .selectFrom("platform_asset")
      .select("type")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", input.target.assetId)
      .executeTakeFirst();
    if (!asset) return input;
    level = asset.type;
  }
  const r = resolveRole(platform, level, input.role);
  if (!r.ok)
    throw new AppError("VALIDATION_FAILED", r.message, {
      problems: [{ path: "role", message: `valid roles: ${r.valid.join(", ")}` }],
    });
  return { ...input, role: r.role.name };
}

/** A built-in platform key, or one word for a custom platform. */
export function checkPlatform(platform: string): void {
  if (getPlatform(platform)) return;
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(platform)) {
    throw new AppError(
      "VALIDATION_FAILED",
      `"${platform}" is not a platform: use a catalog key (tiktok, meta, youtube, google-ads, …) or one lowercase word for your own.`,
      {
        problems: [{ path: "platform", message: "not a catalog key or a custom platform word" }],
      },
    );
  }
}

/** On built-in platforms, an asset's type must be one of the platform's asset types. */
export async function checkAssetType(
  db: Kysely<DB>,
  workspaceId: string,
  accountId: string,
  type: string,
): Promise<void> {
  const account = await db
    .selectFrom("platform_account")
    .select("platform")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", accountId)
    .executeTakeFirst();
  const platform = account ? getPlatform(account.platform) : undefined;
  if (!platform || platform.assetTypes.some((t) => t.key === type)) return;
  const types = platform.assetTypes.map((t) => t.key);
  throw new AppError(
    "VALIDATION_FAILED",
    `${platform.name} has no asset type "${type}"; use one of: ${types.join(", ") || "(none: record access on the account itself)"}.`,
    {
      problems: [{ path: "type", message: `valid types: ${types.join(", ")}` }],
    },
  );
}
