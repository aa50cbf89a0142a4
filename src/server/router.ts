import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import { invalid } from "../core/errors.ts";
import type { AppEnv } from "./env.ts";

/** Zod issues as field problems a person can act on: `{ path: "email", message: "…" }`. */
export function zodProblems(issues: readonly z.core.$ZodIssue[]) {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({
        path: base ? `${base}.${k}` : k,
        message: "is not a known field: remove it",
      }));
    }
    return [{ path: base, message: issue.message }];
  });
}

/** Every API router is made here, so every one turns validation failures into the same 400. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const problems = zodProblems(result.error.issues);
        const first = problems[0];
        const where = result.target === "json" ? "body" : result.target;
        throw invalid(
          first
            ? `Check the ${where}: ${first.path ? `${first.path} ` : ""}${first.message}.`
            : `The ${where} is not valid.`,
          problems,
        );
      }
    },
  });
}
