import { createRootRoute, createRoute, createRouter, Outlet } from "@tanstack/react-router";
import { lazy } from "react";
import { ErrorScreen } from "./components/error-boundary.tsx";
import { OfflineBanner } from "./components/offline.tsx";
import { AccountPage } from "./pages/account-page.tsx";

// The map pulls in a graph-drawing library: load it only when someone opens the map.
const AccessMapPage = lazy(() =>
  import("./pages/access-map.tsx").then((m) => ({ default: m.AccessMapPage })),
);
// Requests, plans and the inbox load on first visit, keeping the first screen small.
const RequestsPage = lazy(() =>
  import("./pages/requests-pages.tsx").then((m) => ({ default: m.RequestsPage })),
);
const RequestDetailPage = lazy(() =>
  import("./pages/requests-pages.tsx").then((m) => ({ default: m.RequestDetailPage })),
);
const PlansPage = lazy(() => import("./pages/plans-pages.tsx").then((m) => ({ default: m.PlansPage })));
const PlanDetailPage = lazy(() =>
  import("./pages/plans-pages.tsx").then((m) => ({ default: m.PlanDetailPage })),
);
const InboxPage = lazy(() => import("./pages/inbox-page.tsx").then((m) => ({ default: m.InboxPage })));
const MorePage = lazy(() => import("./pages/inbox-page.tsx").then((m) => ({ default: m.MorePage })));

import {
  ForgotPasswordPage,
  ResetPasswordPage,
  SignInPage,
  SignUpPage,
  TwoFactorPage,
} from "./pages/auth-pages.tsx";
import { FindingPage } from "./pages/finding-page.tsx";
import { GuideChecklistPage } from "./pages/guide-checklist.tsx";
import { ImportPage } from "./pages/import-page.tsx";
import { AccountDetailPage, PersonDetailPage } from "./pages/record-detail.tsx";
import { AccountsPage, PeoplePage } from "./pages/record-pages.tsx";
import { RecordThisInAppPage } from "./pages/record-this.tsx";
import { ReviewPage } from "./pages/reviews-pages.tsx";
import { SearchPage } from "./pages/search-page.tsx";
import {
  EntryPage,
  InvitePage,
  MembersPage,
  NewWorkspacePage,
  RecordThisPage,
  SettingsPage,
  WorkspaceHomePage,
} from "./pages/workspace-pages.tsx";

const root = createRootRoute({
  component: () => (
    <>
      <OfflineBanner />
      <Outlet />
    </>
  ),
  errorComponent: ({ error, reset }) => <ErrorScreen error={error} onRetry={reset} />,
  notFoundComponent: () => <ErrorScreen error={new Error("There is no page at this address.")} />,
});

const optionalString = (v: unknown) => (typeof v === "string" && v ? v : undefined);
const authSearch = (
  s: Record<string, unknown>,
): { next?: string | undefined; email?: string | undefined } => ({
  next: optionalString(s.next),
  email: optionalString(s.email),
});
const guideSearch = (s: Record<string, unknown>): { guide?: string | undefined } => ({
  guide: optionalString(s.guide),
});
const tokenSearch = (s: Record<string, unknown>): { token?: string | undefined } => ({
  token: optionalString(s.token),
});

const r0 = createRoute({ getParentRoute: () => root, path: "/", component: EntryPage });
const r1 = createRoute({
  getParentRoute: () => root,
  path: "/sign-up",
  component: SignUpPage,
  validateSearch: authSearch,
});
const r2 = createRoute({
  getParentRoute: () => root,
  path: "/sign-in",
  component: SignInPage,
  validateSearch: authSearch,
});
const r3 = createRoute({ getParentRoute: () => root, path: "/two-factor", component: TwoFactorPage });
const r4 = createRoute({
  getParentRoute: () => root,
  path: "/forgot-password",
  component: ForgotPasswordPage,
});
const r5 = createRoute({
  getParentRoute: () => root,
  path: "/reset-password",
  component: ResetPasswordPage,
  validateSearch: tokenSearch,
});
const r6 = createRoute({ getParentRoute: () => root, path: "/invite/$id", component: InvitePage });
const r7 = createRoute({ getParentRoute: () => root, path: "/new-workspace", component: NewWorkspacePage });
const r8 = createRoute({ getParentRoute: () => root, path: "/account", component: AccountPage });
const r9 = createRoute({ getParentRoute: () => root, path: "/w/$slug", component: WorkspaceHomePage });
const r10 = createRoute({ getParentRoute: () => root, path: "/w/$slug/members", component: MembersPage });
const r11 = createRoute({ getParentRoute: () => root, path: "/w/$slug/settings", component: SettingsPage });
const r12 = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/accounts",
  component: AccountsPage,
  validateSearch: guideSearch,
});
const r13 = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/accounts/$accountId",
  component: AccountDetailPage,
});
const r14 = createRoute({ getParentRoute: () => root, path: "/w/$slug/people", component: PeoplePage });
const r15 = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/people/$personId",
  component: PersonDetailPage,
});

const rRecord = createRoute({
  getParentRoute: () => root,
  path: "/record",
  component: RecordThisPage,
  validateSearch: guideSearch,
});

const rImport = createRoute({ getParentRoute: () => root, path: "/w/$slug/import", component: ImportPage });

const mapSearch = (
  s: Record<string, unknown>,
): { accountId?: string | undefined; personId?: string | undefined } => ({
  accountId: optionalString(s.accountId),
  personId: optionalString(s.personId),
});
const rMap = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/map",
  component: AccessMapPage,
  validateSearch: mapSearch,
});

const contextSearch = (s: Record<string, unknown>): { context?: string | undefined } => ({
  context: optionalString(s.context),
});
const rChecklist = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/guide/$platform/$guideSlug",
  component: GuideChecklistPage,
  validateSearch: contextSearch,
});

const rSearch = createRoute({ getParentRoute: () => root, path: "/w/$slug/search", component: SearchPage });

const planSearch = (
  s: Record<string, unknown>,
): {
  kind?: string | undefined;
  personId?: string | undefined;
  accountId?: string | undefined;
  sharedLoginId?: string | undefined;
} => ({
  kind: optionalString(s.kind),
  personId: optionalString(s.personId),
  accountId: optionalString(s.accountId),
  sharedLoginId: optionalString(s.sharedLoginId),
});
const accountSearch = (s: Record<string, unknown>): { accountId?: string | undefined } => ({
  accountId: optionalString(s.accountId),
});
const rRequests = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/requests",
  component: RequestsPage,
  validateSearch: accountSearch,
});
const rRequest = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/requests/$requestId",
  component: RequestDetailPage,
});
const rPlans = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/plans",
  component: PlansPage,
  validateSearch: planSearch,
});
const rPlan = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/plans/$planId",
  component: PlanDetailPage,
});
const rInbox = createRoute({ getParentRoute: () => root, path: "/w/$slug/inbox", component: InboxPage });
const rReview = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/reviews/$reviewId",
  component: ReviewPage,
});
const rFinding = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/findings/$findingKey",
  component: FindingPage,
});
const rRecordThis = createRoute({
  getParentRoute: () => root,
  path: "/w/$slug/record-this",
  component: RecordThisInAppPage,
  validateSearch: (
    s: Record<string, unknown>,
  ): { guide?: string | undefined; context?: string | undefined } => ({
    guide: optionalString(s.guide),
    context: optionalString(s.context),
  }),
});
const rMore = createRoute({ getParentRoute: () => root, path: "/w/$slug/more", component: MorePage });

const routeTree = root.addChildren([
  rRequests,
  rRequest,
  rPlans,
  rPlan,
  rInbox,
  rMore,
  rReview,
  rFinding,
  rRecordThis,
  rSearch,
  rChecklist,
  rMap,
  rImport,
  rRecord,
  r0,
  r1,
  r2,
  r3,
  r4,
  r5,
  r6,
  r7,
  r8,
  r9,
  r10,
  r11,
  r12,
  r13,
  r14,
  r15,
]);

export const router = createRouter({ routeTree, basepath: "/app", defaultPreload: "intent" });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
