import { type Kysely, sql } from "kysely";
import type { GuideFeedbackStore } from "../core/guides/feedback.ts";
import type { DB } from "./schema.ts";

/** Feedback counters, one row per guide and day, incremented in place. */
export class KyselyGuideFeedbackStore implements GuideFeedbackStore {
  readonly #db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.#db = db;
  }
  async record(ref: string, helpful: boolean, at: Date): Promise<void> {
    const day = at.toISOString().slice(0, 10);
    await this.#db
      .insertInto("guide_feedback")
      .values({ guide_ref: ref, day, yes: helpful ? 1 : 0, no: helpful ? 0 : 1 })
      .onConflict((oc) =>
        oc.columns(["guide_ref", "day"]).doUpdateSet({
          yes: sql`guide_feedback.yes + ${helpful ? 1 : 0}`,
          no: sql`guide_feedback.no + ${helpful ? 0 : 1}`,
        }),
      )
      .execute();
  }
  async totals() {
    const rows = await this.#db
      .selectFrom("guide_feedback")
      .select((eb) => ["guide_ref", eb.fn.sum<number>("yes").as("yes"), eb.fn.sum<number>("no").as("no")])
      .groupBy("guide_ref")
      .orderBy("guide_ref")
      .execute();
    return rows.map((r) => ({ ref: r.guide_ref, yes: Number(r.yes), no: Number(r.no) }));
  }
}
