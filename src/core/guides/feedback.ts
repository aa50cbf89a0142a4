/** "Did this solve it?" answers, counted per guide and day: no cookie, no reader data. */
export interface GuideFeedbackStore {
  record(ref: string, helpful: boolean, at: Date): Promise<void>;
  totals(): Promise<{ ref: string; yes: number; no: number }[]>;
}
