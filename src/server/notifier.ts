import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { addNotification, getSettings, markEmailed, type NotificationTopic } from "../store/notifications.ts";
import type { DB } from "../store/schema.ts";
import type { Mailer } from "./mail/mailer.ts";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

/** A plain-text and an HTML version of the same short message, with one link. */
export function renderEmail(m: { title: string; body: string; url: string; footer: string }) {
  const text = `${m.body}\n\nOpen in Delvia: ${m.url}\n\n--\n${m.footer}\n`;
  const paragraphs = m.body
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 12px">${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(m.title)}</title></head><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#111;max-width:560px;margin:0 auto;padding:16px"><h1 style="font-size:18px">${escapeHtml(m.title)}</h1>${paragraphs}<p><a href="${escapeHtml(m.url)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open in Delvia</a></p><p style="color:#555;font-size:13px">${escapeHtml(m.footer)}</p></body></html>`;
  return { text, html };
}

export interface NotifyInput {
  workspaceId: string;
  userIds: string[];
  topic: NotificationTopic;
  /** Unique per event: the same key never notifies the same person twice. */
  key: string;
  title: string;
  body: string;
  /** Path inside Delvia, e.g. /app/w/acme/requests/…; made absolute for emails. */
  path: string;
}

/** Puts notices in inboxes and, for people who want it, sends them by email. */
export class Notifier {
  readonly #db: Kysely<DB>;
  readonly #mailer: Mailer;
  readonly #publicUrl: string;
  readonly #logger: Logger;

  constructor(deps: { db: Kysely<DB>; mailer: Mailer; publicUrl: string; logger: Logger }) {
    this.#db = deps.db;
    this.#mailer = deps.mailer;
    this.#publicUrl = deps.publicUrl;
    this.#logger = deps.logger;
  }

  async notify(n: NotifyInput, now: Date): Promise<number> {
    let delivered = 0;
    for (const userId of new Set(n.userIds)) {
      const settings = await getSettings(this.#db, n.workspaceId, userId);
      if (settings.mutedTopics.includes(n.topic)) continue;
      const id = await addNotification(this.#db, { ...n, userId, link: n.path }, now);
      if (!id) continue;
      delivered++;
      if (!settings.email) continue;
      const user = await this.#db
        .selectFrom("user")
        .select(["email"])
        .where("id", "=", userId)
        .executeTakeFirst();
      if (!user) continue;
      const { text, html } = renderEmail({
        title: n.title,
        body: n.body,
        url: `${this.#publicUrl}${n.path}`,
        footer: `You get this because you use Delvia. Choose what you receive: ${this.#publicUrl}/app/account`,
      });
      try {
        await this.#mailer.send({ to: user.email, subject: n.title, text, html });
        await markEmailed(this.#db, id, now);
      } catch (err) {
        this.#logger.warn({ err, userId, key: n.key }, "notification email failed");
      }
    }
    return delivered;
  }

  /** Send a message to someone outside Delvia (a client's admin). */
  async emailContact(to: string, subject: string, text: string, replyTo?: string): Promise<void> {
    await this.#mailer.send({ to, subject, text, ...(replyTo ? { replyTo } : {}) });
  }
}

/** Who hears about a workspace event: the named user if still a member, else its owners and admins. */
export async function recipients(
  db: Kysely<DB>,
  workspaceId: string,
  preferred: (string | null)[],
): Promise<string[]> {
  const members = await db
    .selectFrom("member")
    .select(["userId", "role"])
    .where("organizationId", "=", workspaceId)
    .execute();
  const ids = new Set(members.map((m) => m.userId));
  const chosen = preferred.filter((p): p is string => !!p && ids.has(p));
  if (chosen.length) return [...new Set(chosen)];
  return members.filter((m) => m.role === "owner" || m.role === "admin").map((m) => m.userId);
}
