/** Delvia's API from the browser: JSON in and out, problems turned into `ApiError`s. */
export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: FieldProblem[];
  constructor(status: number, code: string, detail: string, problems: FieldProblem[] = []) {
    super(detail);
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
  /** The message for one field, if the server named it. */
  field(path: string): string | undefined {
    return this.problems.find((p) => p.path === path)?.message;
  }
}

export class OfflineError extends Error {
  constructor() {
    super("You seem to be offline: check your connection and try again.");
  }
}

/**
 * Fired on window after every API call: `detail` is false when the request never reached the
 * server. A device can report itself online while its connection is dead (captive Wi-Fi, a
 * tunnel), so the offline banner listens to this as well as to `navigator.onLine`.
 */
export const NETWORK_EVENT = "delvia-network";
const reportNetwork = (reached: boolean) =>
  window.dispatchEvent(new CustomEvent<boolean>(NETWORK_EVENT, { detail: reached }));

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; raw?: BodyInit; contentType?: string } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET"),
      credentials: "same-origin",
      headers:
        init.raw !== undefined
          ? { "content-type": init.contentType ?? "text/plain" }
          : init.body !== undefined
            ? { "content-type": "application/json" }
            : {},
      body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    });
  } catch {
    reportNetwork(false);
    throw new OfflineError();
  }
  reportNetwork(true);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  if (!res.ok) {
    if (type.includes("json")) {
      const p = (await res.json()) as { detail?: string; code?: string; problems?: FieldProblem[] };
      throw new ApiError(res.status, p.code ?? "ERROR", p.detail ?? res.statusText, p.problems ?? []);
    }
    throw new ApiError(res.status, "ERROR", `The server answered ${res.status}.`);
  }
  return (type.includes("json") ? res.json() : res.text()) as Promise<T>;
}

export type Role = "owner" | "admin" | "editor" | "viewer";
export interface Workspace {
  id: string;
  slug: string;
  name: string;
  role: Role;
}
export interface Me {
  user: { id: string; email: string; name: string; twoFactorEnabled: boolean };
  workspaces: Workspace[];
}
export interface Instance {
  needsSetup: boolean;
  version: string;
  emailConfigured: boolean;
}
export interface Member {
  id: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: string;
  expiresAt: string;
  inviterEmail: string;
  link: string;
  emailSent?: boolean;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };
export const atLeast = (role: Role, needed: Role) => RANK[role] >= RANK[needed];
