export { ingest, type IngestOptions, type IngestReport } from "./run/ingest.js";
export { rebuild } from "./run/rebuild.js";
export type { ReplayReport } from "./run/replay-archive.js";
export type { ProgressListener } from "./run/progress.js";
export type { FileReport } from "./load/load-file.js";
export {
  weeklyAnswer,
  type MetricSummary,
  type WeekPoint,
  type WeeklyAnswer,
} from "./analysis/weekly-series.js";
export { runChecks, type CheckReport, type CheckResult } from "./check/run-checks.js";
export { CHECKS, type Check, type Severity } from "./check/checks.js";
export { prepareReadQuery, type ReadQuery } from "./query/read-only-query.js";
export { addSedeViews } from "./query/sede-views.js";
export { writeRows, type OutputFormat } from "./query/write-rows.js";
export { openWarehouse, openWarehouseReadOnly } from "./warehouse/open-warehouse.js";
export { sqliteDestination } from "./warehouse/sqlite-warehouse.js";
export { clickHouseDestination } from "./clickhouse/clickhouse-destination.js";
export type { Destination, Warehouse } from "./warehouse/warehouse.js";
export { LandingArchive } from "./archive/landing-archive.js";
export { StackhouseError, type ErrorCode } from "./errors.js";
export { POST_FIELDS } from "./model/posts.js";
export { VOTE_FIELDS } from "./model/votes.js";
export { KINDS, POST_TYPES, VOTE_TYPES, type DeliveryKind } from "./model/kinds.js";
export { run } from "./cli.js";
export { startServer, type RunningServer, type ServerOptions } from "./serve/start-server.js";
