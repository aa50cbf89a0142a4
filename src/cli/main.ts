import { parseArgs } from "node:util";
import { ConfigError, parseConfig, type SettingName, settingsHelp } from "../config/config.ts";
import { AppError } from "../core/errors.ts";
import { COMMANDS } from "./commands.ts";
import { UsageError } from "./context.ts";

const HELP = `Delvia — who can get into your business's accounts, and what must happen when that changes.

Usage: delvia <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(22)} ${c.summary}`)
  .join("\n")}

Options:
  --db <path|url>        database: a SQLite file path, or a postgres:// URL
  --port <n>, --host <h>, --data-dir <dir>, --public-url <url>
  --version              print the version
  --help                 this help

${settingsHelp()}
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    // Commands take their own options; the shared ones are picked out here.
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      db: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      "public-url": { type: "string" },
    },
  });
  if (values.version) {
    const { VERSION } = await import("../server/instance.ts");
    process.stdout.write(`delvia ${VERSION}\n`);
    return 0;
  }
  const [name] = positionals;
  if (values.help || !name) {
    process.stdout.write(HELP);
    return name || values.help ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}". Run "delvia --help" for the list.\n`);
    return 2;
  }
  const flags: Partial<Record<SettingName, string>> = {};
  const pick = (key: string, setting: SettingName) => {
    const v = values[key];
    if (typeof v === "string") flags[setting] = v;
  };
  pick("db", "databaseUrl");
  pick("port", "port");
  pick("host", "host");
  pick("data-dir", "dataDir");
  pick("public-url", "publicUrl");
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    return await command.run({ config, args: argv.slice(argv.indexOf(name) + 1), argv });
  } catch (err) {
    if (err instanceof UsageError || err instanceof AppError) {
      process.stderr.write(`${err instanceof AppError ? err.userMessage : err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== -1) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
