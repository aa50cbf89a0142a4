import ICAL from "ical.js";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createMailer } from "./mail/create-mailer.ts";
import { Scheduler } from "./scheduler.ts";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "./testing.ts";

interface Inbox {
  unread: number;
  notifications: { title: string; body: string; link: string; topic: string }[];
}

const instances: TestInstance[] = [];
afterEach(async () => {
  for (const i of instances.splice(0)) await i.dispose();
});

/** A workspace with a client's Google Ads account and one person to invite. */
async function setup(t: TestInstance) {
  const cookie = await t.signUp("olivia@north.test", "Olivia");
  const ws = await readJson<{ id: string; slug: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "North Agency" } }),
  );
  const base = `/api/v1/workspaces/${ws.id}`;
  const post = async (path: string, body: unknown) =>
    (await readJson<{ id: string }>(await t.call("POST", `${base}/${path}`, { cookie, body }))).id;
  const org = await post("organizations", { name: "Bloom", kind: "client" });
  const dev = await post("people", { name: "Dev", emails: ["dev@north.test"], organizationId: org });
  const gads = await post("accounts", { platform: "google-ads", name: "Bloom Ads", organizationId: org });
  const request = await post("requests", {
    direction: "outgoing",
    accountId: gads,
    role: "Standard",
    subject: { type: "person", personId: dev },
    contactName: "Carla",
    contactEmail: "carla@bloom.test",
    escalationName: "Bea",
    escalationEmail: "bea@bloom.test",
    emailContact: true,
  });
  return { cookie, ws, base, request, dev, gads };
}

const inbox = async (t: TestInstance, base: string, cookie: string) =>
  readJson<Inbox>(await t.call("GET", `${base}/notifications`, { cookie }));
const DAY = 86_400_000;

describe("the scheduler, on a fixed clock", () => {
  it("reminds on days 3 and 7, escalates on day 14, each exactly once", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, request, ws } = await setup(t);
    await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "sent" } });
    await t.call("PUT", `${base}/notification-settings`, { cookie, body: { email: false, mutedTopics: [] } });
    t.outbox.length = 0;

    expect(await t.scheduler.tick()).toEqual([]);
    // Each tick also signs the head of every workspace's history chain that moved.
    const { verifyHistory } = await import("../store/history.ts");
    const { sealKey } = await import("../store/history-seal.ts");
    expect(
      await verifyHistory(t.db, ws.id, { sealKey: sealKey(t.config.secret!), now: t.clock.now() }),
    ).toMatchObject({
      ok: true,
      seal: { sealedAt: "2026-11-24T09:00:00.000Z" },
    });
    t.clock.advance(3 * DAY);
    expect(await t.scheduler.tick()).toHaveLength(1);
    expect(await t.scheduler.tick()).toEqual([]);
    let box = await inbox(t, base, cookie);
    expect(box.unread).toBe(1);
    expect(box.notifications[0]).toMatchObject({
      title: "Chase: 3 days without an answer",
      topic: "requests",
      link: `/app/w/${ws.slug}/requests/${request}`,
    });
    expect(box.notifications[0]!.body).toContain("Delvia sent Carla a reminder");
    expect(t.outbox.map((m) => `${m.to}: ${m.subject}`)).toEqual([
      "carla@bloom.test: Reminder: Access request: Google Ads, Bloom Ads",
    ]);

    t.clock.advance(11 * DAY);
    expect(await t.scheduler.tick()).toHaveLength(2);
    box = await inbox(t, base, cookie);
    expect(box.notifications.map((n) => n.title)).toEqual([
      "Escalate: no answer after 14 days",
      "Chase: 7 days without an answer",
      "Chase: 3 days without an answer",
    ]);
    expect(t.outbox.map((m) => m.to)).toEqual(["carla@bloom.test", "carla@bloom.test", "bea@bloom.test"]);
    expect(await t.scheduler.tick()).toEqual([]);

    // Read, and muting a topic stops new notices.
    await t.call("POST", `${base}/notifications/read`, { cookie, body: { all: true } });
    expect((await inbox(t, base, cookie)).unread).toBe(0);
  });

  it("warns before a Google Ads invitation runs out (20 days) and marks the request expired after", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, request } = await setup(t);
    await t.call("PUT", `${base}/requests/${request}`, {
      cookie,
      body: {
        direction: "outgoing",
        accountId: (
          await readJson<{ accountId: string }>(
            await t.call("GET", `${base}/requests/${request}`, { cookie }),
          )
        ).accountId,
        role: "Standard",
        subject: {
          type: "person",
          personId: (
            await readJson<{ subject: { personId: string } }>(
              await t.call("GET", `${base}/requests/${request}`, { cookie }),
            )
          ).subject.personId,
        },
        contactName: "Carla",
        reminderDays: [],
      },
    });
    await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "sent" } });
    await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "invited" } });
    t.clock.advance(17 * DAY);
    await t.scheduler.tick();
    expect((await inbox(t, base, cookie)).notifications[0]!.title).toBe("Invitation runs out on 2026-12-14");
    t.clock.advance(4 * DAY);
    await t.scheduler.tick();
    const r = await readJson<{ status: string; statusNote: string }>(
      await t.call("GET", `${base}/requests/${request}`, { cookie }),
    );
    expect(r).toMatchObject({ status: "expired", statusNote: "The platform invitation ran out." });
    expect((await inbox(t, base, cookie)).notifications[0]!.title).toBe(
      "Invitation expired: Standard on Bloom Ads for Dev",
    );
  });

  it("re-checks a plan a week after it was made and tells its owner what is left", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, dev, gads } = await setup(t);
    await t.call("POST", `${base}/grants`, {
      cookie,
      body: { subject: { type: "person", personId: dev }, target: { accountId: gads }, role: "Standard" },
    });
    const plan = await readJson<{ id: string; recheckOn: string }>(
      await t.call("POST", `${base}/plans`, {
        cookie,
        body: { subject: { kind: "person-leaves", personId: dev } },
      }),
    );
    expect(plan.recheckOn).toBe("2026-12-01");
    t.clock.advance(7 * DAY);
    await t.scheduler.tick();
    const n = (await inbox(t, base, cookie)).notifications.find((x) => x.title.startsWith("Re-check"))!;
    expect(n.title).toBe("Re-check: Dev leaves");
    expect(n.body).toContain("Dev still has Standard on Bloom Ads");
  });
});

describe("reviews and access that runs out", () => {
  it("runs each workspace's first findings scan of a new day once, so the dashboard finds it done", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, dev, gads } = await setup(t);
    await t.call("POST", `${base}/grants`, {
      cookie,
      body: { subject: { type: "person", personId: dev }, target: { accountId: gads }, role: "Standard" },
    });
    const scanned = async () =>
      (await t.db.selectFrom("finding_scan").select("as_of").executeTakeFirst())?.as_of ?? null;
    // Nobody has looked at findings yet: nothing to keep fresh.
    expect((await t.scheduler.tick()).filter((k) => k.startsWith("findings:"))).toEqual([]);
    expect(await scanned()).toBeNull();
    await t.call("GET", `${base}/findings`, { cookie });
    expect(await scanned()).toBe("2026-11-24");
    expect((await t.scheduler.tick()).filter((k) => k.startsWith("findings:"))).toEqual([]);
    t.clock.advance(1 * DAY);
    const ran = await t.scheduler.tick();
    expect(ran.filter((k) => k.startsWith("findings:"))).toHaveLength(1);
    expect(await scanned()).toBe("2026-11-25");
    expect((await t.scheduler.tick()).filter((k) => k.startsWith("findings:"))).toEqual([]);
  });

  it("tells owners and admins a week before a review is due and three days before access ends, once each", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, dev, gads } = await setup(t);
    await t.call("PATCH", `${base}/accounts/${gads}`, {
      cookie,
      body: { reviewCadenceDays: 30, lastReviewedOn: "2026-11-02" },
    });
    await t.call("POST", `${base}/grants`, {
      cookie,
      body: {
        subject: { type: "person", personId: dev },
        target: { accountId: gads },
        role: "Standard",
        expiresOn: "2026-11-28",
      },
    });
    expect(await t.scheduler.tick()).toEqual([]);
    t.clock.advance(1 * DAY); // 25 Nov: access ends in 3 days, review (2 Dec) in 7
    const ran = await t.scheduler.tick();
    expect(ran.map((k) => k.split(":")[0]).sort()).toEqual(["grant-ends", "review"]);
    const titles = (await inbox(t, base, cookie)).notifications.map((n) => n.title).sort();
    expect(titles).toEqual([
      "Access ends 2026-11-28: Dev on Bloom Ads",
      "Access review due 2026-12-02: Bloom Ads",
    ]);
    expect(await t.scheduler.tick()).toEqual([]);
    // Muted topics are not delivered.
    await t.call("PUT", `${base}/notification-settings`, {
      cookie,
      body: { email: false, mutedTopics: ["reviews"] },
    });
    await t.call("PATCH", `${base}/accounts/${gads}`, { cookie, body: { lastReviewedOn: "2026-11-20" } });
    t.clock.advance(20 * DAY);
    await t.scheduler.tick();
    expect((await inbox(t, base, cookie)).notifications.filter((n) => n.topic === "reviews")).toHaveLength(1);
  });
});

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(
    `two servers on one database (${dialect})`,
    () => {
      it("each reminder is sent exactly once, however the ticks interleave", async () => {
        const a = await createTestInstance(dialect);
        instances.push(a);
        // A second server: on PostgreSQL a separate pool on the same schema; on SQLite a second scheduler.
        const b =
          dialect === "postgres" ? await createTestInstance(dialect, undefined, { schema: a.schema }) : a;
        if (b !== a) instances.push(b);
        const { cookie, base, dev, gads } = await setup(a);
        for (let i = 0; i < 5; i++) {
          const r = await readJson<{ id: string }>(
            await a.call("POST", `${base}/requests`, {
              cookie,
              body: {
                direction: "outgoing",
                accountId: gads,
                role: "Standard",
                subject: { type: "person", personId: dev },
                contactName: `Contact ${i}`,
                contactEmail: `c${i}@bloom.test`,
                emailContact: true,
              },
            }),
          );
          await a.call("POST", `${base}/requests/${r.id}/moves`, { cookie, body: { status: "sent" } });
        }
        a.outbox.length = 0;
        b.outbox.length = 0;
        a.clock.advance(15 * DAY);
        if (b !== a) b.clock.advance(15 * DAY);
        const second =
          b === a
            ? new Scheduler({
                db: a.db,
                clock: a.clock,
                notifier: a.notifier,
                access: a.access,
                publicUrl: "http://delvia.test",
                logger: pino({ level: "silent" }),
              })
            : b.scheduler;
        const runs = await Promise.all([
          a.scheduler.tick(),
          second.tick(),
          a.scheduler.tick(),
          second.tick(),
        ]);
        const all = runs.flat();
        // The setup's own draft is never sent; 5 sent requests × days 3, 7 and 14 = 15 jobs.
        expect(all).toHaveLength(15);
        expect(new Set(all).size).toBe(15);
        const contactMails = [...a.outbox, ...(b === a ? [] : b.outbox)].filter((m) =>
          m.to.endsWith("@bloom.test"),
        );
        expect(contactMails).toHaveLength(15);
        const box = await inbox(a, base, cookie);
        expect(box.notifications.filter((n) => n.topic === "requests")).toHaveLength(15);
      });
    },
  );
}

describe("email through a real SMTP server", () => {
  it("a notification arrives with the right recipient, subject, and working links in text and HTML", async () => {
    const received: { to: string[]; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, done) {
        let data = "";
        stream.on("data", (c: Buffer) => {
          data += c.toString("utf8");
        });
        stream.on("end", () => {
          received.push({ to: (session.envelope.rcptTo || []).map((r) => r.address), data });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as { port: number }).port;
      const mailer = createMailer({
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: "Delvia <delvia@delvia.test>",
        logger: pino({ level: "silent" }),
      });
      const t = await createTestInstance("sqlite", undefined, { mailer });
      instances.push(t);
      const { cookie, base, request, ws } = await setup(t);
      await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "sent" } });
      received.length = 0;
      t.clock.advance(3 * DAY);
      await t.scheduler.tick();
      const toOlivia = received.find((m) => m.to.includes("olivia@north.test"))!;
      const toCarla = received.find((m) => m.to.includes("carla@bloom.test"))!;
      expect(toOlivia).toBeDefined();
      expect(toCarla).toBeDefined();
      const decoded = toOlivia.data
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
      expect(decoded).toMatch(/^Subject: Chase: 3 days without an answer/m);
      expect(decoded).toMatch(/^From: Delvia <delvia@delvia.test>/m);
      expect(decoded).toContain("Content-Type: text/plain");
      expect(decoded).toContain("Content-Type: text/html");
      const link = `http://delvia.test/app/w/${ws.slug}/requests/${request}`;
      expect(decoded).toContain(`Open in Delvia: ${link}`);
      expect(decoded).toContain(`href="${link}"`);
      expect(toCarla.data).toMatch(/^Subject: Reminder: Access request: Google Ads, Bloom Ads/m);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});

describe("the personal calendar feed", () => {
  it("parses as iCalendar with the due dates, and stops working when revoked", async () => {
    const t = await createTestInstance("sqlite");
    instances.push(t);
    const { cookie, base, request, dev, gads } = await setup(t);
    await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "sent" } });
    await t.call("POST", `${base}/requests/${request}/moves`, { cookie, body: { status: "invited" } });
    await t.call("POST", `${base}/grants`, {
      cookie,
      body: {
        subject: { type: "person", personId: dev },
        target: { accountId: gads },
        role: "Standard",
        expiresOn: "2027-01-31",
      },
    });
    await t.call("PATCH", `${base}/accounts/${gads}`, { cookie, body: { reviewCadenceDays: 90 } });
    const feed = await readJson<{ url: string; active: boolean }>(
      await t.call("POST", `${base}/calendar-feed`, { cookie }),
    );
    expect(feed.active).toBe(true);
    const path = new URL(feed.url).pathname;
    const res = await t.call("GET", path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/calendar");
    const cal = new ICAL.Component(ICAL.parse(await res.text()));
    const events = cal.getAllSubcomponents("vevent").map((e) => new ICAL.Event(e));
    const byTitle = Object.fromEntries(events.map((e) => [e.summary, e.startDate.toString()]));
    expect(byTitle).toMatchObject({
      "Invitation runs out: Standard on Bloom Ads for Dev": "2026-12-14",
      "Chase: Standard on Bloom Ads for Dev": "2026-11-27",
      "Access review: Bloom Ads": "2027-02-22",
      "Access ends: Dev on Bloom Ads": "2027-01-31",
    });
    expect(events.every((e) => e.startDate.isDate)).toBe(true);
    expect(events[0]!.description).toContain("http://delvia.test/app/w/");

    // A new address replaces the old one; revoking ends it; a random token finds nothing.
    const second = await readJson<{ url: string }>(await t.call("POST", `${base}/calendar-feed`, { cookie }));
    expect((await t.call("GET", path)).status).toBe(404);
    expect((await t.call("GET", new URL(second.url).pathname)).status).toBe(200);
    expect((await t.call("DELETE", `${base}/calendar-feed`, { cookie })).status).toBe(204);
    expect((await t.call("GET", new URL(second.url).pathname)).status).toBe(404);
    expect((await t.call("GET", "/api/v1/calendar/not-a-token/delvia.ics")).status).toBe(404);
  });
});
