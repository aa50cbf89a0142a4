import type { Kysely } from "kysely";
import type { Config } from "../../config/config.ts";
import type { Clock } from "../../core/clock.ts";
import type { DB } from "../../store/schema.ts";
import type { Mailer } from "../mail/mailer.ts";

export interface RouteDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  mailer: Mailer;
  version: string;
}
