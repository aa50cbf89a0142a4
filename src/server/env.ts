import type { Logger } from "pino";
import type { WorkspaceRole } from "../core/workspace-roles.ts";

/** The signed-in user behind a request, resolved from the session on every request. */
export interface Caller {
  userId: string;
  email: string;
  name: string;
  sessionId: string;
}

/** The caller's membership in the workspace named by the route, read from the database. */
export interface WorkspaceAccess {
  workspaceId: string;
  memberId: string;
  role: WorkspaceRole;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    caller: Caller | null;
    workspace: WorkspaceAccess;
  };
}
