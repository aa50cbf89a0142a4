import type { Kysely } from "kysely";
import { AccessIndex, type IndexChange } from "../core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../core/catalog/index.ts";
import { changedSince, historyHead, loadEntity, loadIndex } from "../store/access-snapshot.ts";
import type { DB } from "../store/schema.ts";

const policy = {
  reachesAllAssets: (platform: string, role: string) => {
    const p = getPlatform(platform);
    // Custom platforms: roles named admin or owner reach everything.
    return p ? reachesAllAssets(p, role) : /^(admin|owner)$/i.test(role.trim());
  },
};

/** Above this many changes since the index was built, reloading is cheaper than catching up. */
const CATCH_UP_LIMIT = 2000;

/**
 * One access index per workspace, in memory. Before each query it compares its history head
 * with the database's: any change — made by this server or another one on the same
 * PostgreSQL — is applied first, so every answer reads the latest writes.
 */
export class AccessService {
  readonly #db: Kysely<DB>;
  readonly #cache = new Map<string, { index: AccessIndex; seq: number; pending?: Promise<void> }>();

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Whether this workspace's index has been built in this server (it may lag the database). */
  isLoaded(workspaceId: string): boolean {
    const entry = this.#cache.get(workspaceId);
    return !!entry && entry.seq >= 0;
  }

  async index(workspaceId: string): Promise<AccessIndex> {
    return (await this.current(workspaceId)).index;
  }

  /**
   * The index caught up to the database, and the history sequence number it reflects.
   * `knownHead`: the history head the caller has just read, to save reading it again (an index
   * already past it, caught up by a request meanwhile, is used as it is).
   */
  async current(workspaceId: string, knownHead?: number): Promise<{ index: AccessIndex; seq: number }> {
    let entry = this.#cache.get(workspaceId);
    let waited = false;
    while (entry?.pending) {
      waited = true;
      await entry.pending;
      entry = this.#cache.get(workspaceId);
    }
    const head = knownHead !== undefined && !waited ? knownHead : await historyHead(this.#db, workspaceId);
    if (entry && entry.seq >= head && (entry.seq === head || knownHead !== undefined))
      return { index: entry.index, seq: entry.seq };
    const refresh = (async () => {
      // Only the changes the index follows count: a findings scan can append thousands of
      // events without touching anything the index holds.
      const changes = entry && (await changedSince(this.#db, workspaceId, entry.seq, CATCH_UP_LIMIT + 1));
      if (entry && changes && changes.length <= CATCH_UP_LIMIT) {
        const seen = new Set<string>();
        for (const c of changes) {
          const key = `${c.entity_type}:${c.entity_id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const change = await loadEntity(this.#db, workspaceId, c.entity_type, c.entity_id);
          if (change) entry.index.apply(change as IndexChange);
        }
        entry.seq = head;
        return;
      }
      const index = new AccessIndex(policy);
      await loadIndex(index, this.#db, workspaceId);
      this.#cache.set(workspaceId, { index, seq: head });
    })();
    if (entry) entry.pending = refresh;
    else this.#cache.set(workspaceId, { index: new AccessIndex(policy), seq: -1, pending: refresh });
    try {
      await refresh;
    } finally {
      const e = this.#cache.get(workspaceId);
      if (e) delete e.pending;
    }
    return { index: this.#cache.get(workspaceId)!.index, seq: head };
  }
}
