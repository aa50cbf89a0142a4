import type { Migration } from "kysely";
import * as auth from "./2026_11_24_0001_auth.ts";
import * as record from "./2026_11_24_0003_record.ts";
import * as guideFeedback from "./2026_11_24_0004_guide_feedback.ts";
import * as findings from "./2026_11_24_0005_findings.ts";
import * as guideProgress from "./2026_11_24_0006_guide_progress.ts";
import * as requestsPlans from "./2026_11_25_0007_requests_plans.ts";
import * as historySeal from "./2026_11_25_0008_history_seal.ts";
import * as authGuards from "./2026_11_25_0009_auth_guards.ts";
import * as reviews from "./2026_11_25_0010_reviews.ts";
import * as recheckIndexes from "./2026_11_25_0011_recheck_indexes.ts";
import * as systemUserIndex from "./2026_11_25_0012_system_user_index.ts";
import * as expiryIndex from "./2026_11_25_0013_expiry_index.ts";
import * as partialGrantIndexes from "./2026_11_25_0014_partial_grant_indexes.ts";
import * as findingsIndexes from "./2026_11_25_0015_findings_indexes.ts";
import * as historyRefs from "./2026_11_25_0016_history_refs.ts";
import * as findingEventsIndex from "./2026_11_25_0017_finding_events_index.ts";
import * as pageVersions from "./2026_11_26_0018_page_versions.ts";
import * as findingRowsVersion from "./2026_12_07_0019_finding_rows_version.ts";
import * as grantIndexLevels from "./2026_12_07_0020_grant_index_levels.ts";
import * as assetPlatformIdIndex from "./2026_12_07_0021_asset_platform_id_index.ts";

/**
 * Every migration, in order. A static list (not a folder scan) so the set is the same in every
 * environment and bundling never drops one. Names are timestamps: never rename or edit a shipped one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  "2026_11_24_0001_auth": auth,
  "2026_11_24_0003_record": record,
  "2026_11_24_0004_guide_feedback": guideFeedback,
  "2026_11_24_0005_findings": findings,
  "2026_11_24_0006_guide_progress": guideProgress,
  "2026_11_25_0007_requests_plans": requestsPlans,
  "2026_11_25_0008_history_seal": historySeal,
  "2026_11_25_0009_auth_guards": authGuards,
  "2026_11_25_0010_reviews": reviews,
  "2026_11_25_0011_recheck_indexes": recheckIndexes,
  "2026_11_25_0012_system_user_index": systemUserIndex,
  "2026_11_25_0013_expiry_index": expiryIndex,
  "2026_11_25_0014_partial_grant_indexes": partialGrantIndexes,
  "2026_11_25_0015_findings_indexes": findingsIndexes,
  "2026_11_25_0016_history_refs": historyRefs,
  "2026_11_25_0017_finding_events_index": findingEventsIndex,
  "2026_11_26_0018_page_versions": pageVersions,
  "2026_12_07_0019_finding_rows_version": findingRowsVersion,
  "2026_12_07_0020_grant_index_levels": grantIndexLevels,
  "2026_12_07_0021_asset_platform_id_index": assetPlatformIdIndex,
};
