import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode, type FieldProblem } from "../core/errors.ts";

const TITLES: Record<ErrorCode, string> = {
  BAD_REQUEST: "Bad request",
  VALIDATION_FAILED: "Some fields need fixing",
  UNAUTHENTICATED: "Sign in required",
  FORBIDDEN: "Not allowed",
  NOT_FOUND: "Not found",
  CONFLICT: "Conflict",
  PAYLOAD_TOO_LARGE: "Request too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported content type",
  RATE_LIMITED: "Too many requests",
  UNAVAILABLE: "Temporarily unavailable",
  INTERNAL: "Something went wrong on our side",
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  problems?: FieldProblem[];
}

/** Turn anything thrown into an `AppError`: known ones pass through, the rest become INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 413) return new AppError("PAYLOAD_TOO_LARGE", "The request body is too large.");
    if (status === 400) {
      const msg = err.message || "The request could not be read.";
      return new AppError(
        "BAD_REQUEST",
        /json/i.test(msg) ? "The request body is not valid JSON: check quotes, commas and brackets." : msg,
      );
    }
    if (status === 401) return new AppError("UNAUTHENTICATED", "Sign in to continue.");
    if (status === 403) return new AppError("FORBIDDEN", err.message || "You are not allowed to do this.");
    if (status === 404) return new AppError("NOT_FOUND", "There is nothing at this address.");
    if (status === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
    if (status === 429)
      return new AppError("RATE_LIMITED", "Too many requests: wait a minute and try again.");
  }
  return new AppError(
    "INTERNAL",
    "Something went wrong on our side. Try again; if it keeps happening, tell us the request ID.",
    {
      cause: err,
    },
  );
}

export function problemResponse(c: Context, err: AppError): Response {
  const body: ProblemBody = {
    type: `https://delvia.app/problems/${err.code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[err.code],
    status: err.status,
    detail: err.userMessage,
    code: err.code,
    instance: new URL(c.req.url).pathname,
    requestId: c.get("requestId"),
    ...(err.problems.length ? { problems: [...err.problems] } : {}),
  };
  return c.body(JSON.stringify(body), err.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
  });
}
