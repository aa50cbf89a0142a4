export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Where answers should go (the person in Delvia who sent it). */
  replyTo?: string;
  cc?: string;
}

/** Sends email. Without SMTP configured, messages go to the log so links can still be used. */
export interface Mailer {
  readonly configured: boolean;
  send(mail: OutgoingMail): Promise<void>;
}
