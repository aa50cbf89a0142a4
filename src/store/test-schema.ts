/** A PostgreSQL schema name for one test, under this run's prefix (dropped when the run ends). */
export function testSchemaName(tag: string): string {
  const run = process.env.DELVIA_TEST_RUN ?? "local";
  return `dt_${run}_${tag}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}
