import pg from "pg";

/**
 * PostgreSQL test schemas are dropped once, after the whole run: dropping them while other test
 * files run races with catalogue queries (Kysely's and better-auth's introspection) and fails
 * them with "schema does not exist". Each run's schemas share a prefix, so concurrent runs
 * never drop each other's.
 */
export default function setup() {
  const run = globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 8);
  process.env.DELVIA_TEST_RUN = run;
  return async () => {
    const url = process.env.DELVIA_TEST_DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(
        "select nspname from pg_namespace where nspname like $1",
        [`dt_${run}_%`],
      );
      for (const r of rows) await client.query(`drop schema if exists "${r.nspname}" cascade`);
    } finally {
      await client.end();
    }
  };
}
