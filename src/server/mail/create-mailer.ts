import nodemailer from "nodemailer";
import type { Logger } from "pino";
import type { Mailer, OutgoingMail } from "./mailer.ts";

/** SMTP through nodemailer when configured; otherwise each message is written to the log. */
export function createMailer(opts: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  if (!opts.smtpUrl) {
    return {
      configured: false,
      async send(mail: OutgoingMail) {
        opts.logger.info(
          { mail: { to: mail.to, subject: mail.subject }, body: mail.text },
          `email (SMTP not configured): ${mail.subject}`,
        );
      },
    };
  }
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    configured: true,
    async send(mail: OutgoingMail) {
      await transport.sendMail({
        from: opts.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        ...(mail.cc ? { cc: mail.cc } : {}),
      });
    },
  };
}
