/**
 * One error model for all of Delvia. Core and store throw `AppError`s; the server maps each
 * code to an HTTP status and answers RFC 9457 problem details; the CLI prints `userMessage`.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `grants.0.role`; empty for the whole body. */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly problems: readonly FieldProblem[];

  constructor(
    code: ErrorCode,
    userMessage: string,
    options?: { internal?: string; problems?: FieldProblem[]; cause?: unknown },
  ) {
    super(options?.internal ?? userMessage, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.problems = options?.problems ?? [];
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const notFound = (what: string) =>
  new AppError("NOT_FOUND", `${what} was not found in this workspace.`);
export const forbidden = (why: string) => new AppError("FORBIDDEN", why);
export const conflict = (why: string) => new AppError("CONFLICT", why);
export const invalid = (message: string, problems: FieldProblem[] = []) =>
  new AppError("VALIDATION_FAILED", message, { problems });
