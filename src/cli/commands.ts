import type { Config } from "../config/config.ts";

export interface CommandContext {
  config: Config;
  args: string[];
  argv: string[];
}

export interface Command {
  summary: string;
  /** Resolves to the exit code; -1 means "keep running" (a server). */
  run(ctx: CommandContext): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  workspace: {
    summary: "workspace create SLUG --owner EMAIL [--home-org NAME]",
    run: async ({ config, args }) => (await import("./workspace.ts")).workspace(config, args),
  },
  import: {
    summary: "import FILE --workspace SLUG [--dry-run]: an access sheet (CSV) or a full export (JSON)",
    run: async ({ config, args }) => (await import("./import-export.ts")).importCommand(config, args),
  },
  export: {
    summary: "export --workspace SLUG --format json|csv [--out FILE]",
    run: async ({ config, args }) => (await import("./import-export.ts")).exportCommand(config, args),
  },
  "who-can-reach": {
    summary: "who-can-reach --workspace SLUG --platform P --account NAME [--asset NAME] [--json]",
    run: async ({ config, args }) => (await import("./access.ts")).whoCanReach(config, args),
  },
  reach: {
    summary: "reach --workspace SLUG --email E [--json]: everything a person can get into",
    run: async ({ config, args }) => (await import("./access.ts")).reach(config, args),
  },
  demo: {
    summary: "demo --workspace SLUG: load a realistic sample agency record",
    run: async ({ config, args }) => (await import("./demo.ts")).demo(config, args),
  },
  findings: {
    summary: "findings --workspace SLUG [--as-of YYYY-MM-DD] [--json]: problems the record shows",
    run: async ({ config, args }) => (await import("./findings.ts")).findings(config, args),
  },
  requests: {
    summary:
      "requests --workspace SLUG [--all] [--json] | --move ID --to STATUS [--note TEXT]: access requests, or move one on",
    run: async ({ config, args }) => (await import("./requests-plans.ts")).requests(config, args),
  },
  plans: {
    summary: "plans --workspace SLUG [--json]: change plans and their tasks",
    run: async ({ config, args }) => (await import("./requests-plans.ts")).plans(config, args),
  },
  leaver: {
    summary:
      "leaver --workspace SLUG --email E [--successor-email E2] [--json]: make the plan for someone who leaves",
    run: async ({ config, args }) => (await import("./requests-plans.ts")).leaver(config, args),
  },
  "guide-feedback": {
    summary: 'guide-feedback [--json]: "Did this solve it?" answers per guide, most "no" first',
    run: async ({ config, args }) => (await import("./guide-feedback.ts")).guideFeedback(config, args),
  },
  backup: {
    summary: "backup --to FILE: a consistent copy of everything, taken while Delvia runs",
    run: async ({ config, args }) => (await import("./backup.ts")).backup(config, args),
  },
  restore: {
    summary: "restore FILE: into an empty database, then verify every history chain",
    run: async ({ config, args }) => (await import("./backup.ts")).restore(config, args),
  },
  audit: {
    summary: "audit verify --workspace SLUG: check the history chain",
    run: async ({ config, args }) => (await import("./audit.ts")).audit(config, args),
  },
  serve: {
    summary: "start Delvia (migrates the database first)",
    run: async ({ config }) => (await import("./serve.ts")).serve(config),
  },
  migrate: {
    summary: "bring the database schema up to date, then exit",
    run: async ({ config }) => {
      const { openDatabase } = await import("../store/database.ts");
      const { migrateToLatest } = await import("../store/migrate.ts");
      const owner = config.migrationDatabaseUrl && config.database.kind === "postgres";
      const database = openDatabase(
        owner ? { kind: "postgres", url: config.migrationDatabaseUrl! } : config.database,
      );
      try {
        const { applied } = await migrateToLatest(database.db, database.schema);
        if (owner && config.database.kind === "postgres") {
          const { grantAppRole, roleOf } = await import("../store/pg-roles.ts");
          await grantAppRole(database.db, roleOf(config.database.url));
        }
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(", ")}\n`
            : "The database is up to date.\n",
        );
        return 0;
      } finally {
        await database.close();
      }
    },
  },
};
