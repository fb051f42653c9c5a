/**
 * Public API of zenoo. Everything exported here is documented and stable; nothing is exported implicitly.
 *
 * @packageDocumentation
 */
export {
  ZenooError,
  UnexpectedError,
  ClientClosedError,
  TransportError,
  HttpError,
  NetworkError,
  TimeoutError,
  AbortError,
  ProtocolError,
  RpcFault,
  ValidationError,
  AccessError,
  AccessDeniedError,
  MissingError,
  UserError,
  InvalidValueError,
  SessionExpiredError,
  ConcurrencyError,
  AuthenticationError,
  OutcomeUnknownError,
  ConfigurationError,
  BatchValidationError,
  LoadRowError,
  BatchExecutionError,
  TransactionError,
  PlanValidationError,
  RowReferenceError,
  formatPlanProblem,
} from './errors.js';
export type { ErrorContext, ZenooErrorOptions, RequestPhase, OdooErrorPayload, PlanProblem } from './errors.js';
export type { MigrationErrorCode, RpcFaultCode, TransportErrorCode, ZenooErrorCode } from './errors.js';
export type { BatchPartialResult, CompensationReport, CompensationStep } from './errors.js';

// Odoo client (src/client/).
export { OdooClient } from './client/odoo-client.js';
export type { RecordValues } from './client/odoo-calls.js';
export { ModelFacade } from './client/model-facade.js';
export { CLIENT_MODES, DEFAULT_MAX_SOCKETS, DEFAULT_MODE, DEFAULT_TIMEOUT_MS } from './client/client-options.js';
export type { OdooClientMode, OdooClientOptions, ResolvedOdooClientOptions } from './client/client-options.js';
export type {
  OdooCallEvent,
  OdooClientEvent,
  OdooRequestEvent,
  OdooResponseEvent,
  OdooNoticeEvent,
  OdooRetryEvent,
} from './client/client-events.js';
export {
  DEFAULT_RETRY_OPTIONS,
  READ_METHODS,
  calculateRetryDelay,
  classifyMethod,
  decideRetry,
  isNothingCommitted,
  isOutcomeUnknown,
  isTransientFailure,
} from './client/retry-policy.js';
export type { MethodKind, RetryDecision, RetryInput, RetryOptions } from './client/retry-policy.js';
export { mapOdooFault } from './client/map-odoo-fault.js';
export { parseOdooVersion } from './client/parse-odoo-version.js';
export { JsonRpcTransport } from './client/transports/json-rpc-transport.js';
export { SessionTransport } from './client/transports/session-transport.js';
export { API_KEY_HOWTO, JSON2_PATH, Json2Transport } from './client/transports/json2-transport.js';
export { JSON2_PARAMETERS, JSON2_RECORD_METHODS, json2Body } from './client/transports/json2-arguments.js';
export { AutoTransport, JSON2_FIRST_MAJOR, JSONRPC_REMOVED_MAJOR } from './client/transports/auto-transport.js';
export { HttpTransport } from './client/transports/http-transport.js';
export { MemoryTransport } from './client/transports/memory-transport.js';
export type { MemoryHandler, MemoryTransportOptions } from './client/transports/memory-transport.js';
export { executeKwArguments } from './client/odoo-transport.js';
export type { OdooTransport, OrmCall, TransportCallOptions, TransportConfig } from './client/odoo-transport.js';
export type { OdooCalls } from './client/odoo-calls.js';
export { throwIfAborted } from './util/abort.js';
export { EventHub } from './util/event-hub.js';
export type { EventListener, EventOf, ListenerErrorHandler, TypedEvent } from './util/event-hub.js';
export type {
  CallErrorContext,
  CallOptions,
  Domain,
  FieldInfo,
  FieldsGetOptions,
  LoadMessage,
  LoadResult,
  NameSearchOptions,
  OdooVersion,
  SearchOptions,
  SearchReadOptions,
} from './client/types.js';

// Batch API (src/batch/).
export { BatchManager } from './batch/batch-manager.js';
export type { BatchManagerOptions, BatchManagerStats } from './batch/batch-manager.js';
export type {
  BatchManagerClient,
  BulkCreateOptions,
  BulkOptions,
  BulkUpdateOptions,
  RunOptions,
} from './batch/bulk-options.js';
export { Batch } from './batch/batch.js';
export { BatchContext } from './batch/batch-context.js';
export { batchContext } from './batch/batch-manager.js';
export { batchOperation, OperationCollector } from './batch/batch-operation-collector.js';
export type { BatchOperationCollectorOptions, CollectedRecord } from './batch/batch-operation-collector.js';
export { BatchExecutor, isChunkOutcomeUnknown } from './batch/batch-executor.js';
export type { BatchExecutorOptions, ExecuteOptions, ExecutionResult } from './batch/batch-executor.js';
export { DEFAULT_SHARED_CONCURRENCY, SharedLimiter } from './batch/shared-limiter.js';
export type { ChunkLimiter, SharedLimiterOptions } from './batch/shared-limiter.js';
export { BatchTransaction } from './batch/batch-transaction.js';
export type { TransactionCallOptions } from './batch/batch-transaction.js';
export type { TransactionClient, OperationRunner, BulkWriter } from './batch/bulk-options.js';
export { BatchOperation } from './batch/operations/batch-operation.js';
export type {
  BatchOperationOptions,
  BatchedRecordSource,
  OdooContext,
  PlannedChunk,
  RecordSource,
} from './batch/operations/batch-operation.js';
export type { OperationStatus, OperationType } from './batch/operations/operation-result.js';
export { CreateOperation } from './batch/operations/create-operation.js';
export type { CreateOperationOptions, XmlidFunction } from './batch/operations/create-operation.js';
export { UpdateOperation } from './batch/operations/update-operation.js';
export type { RecordUpdate, UpdateOperationOptions } from './batch/operations/update-operation.js';
export { DeleteOperation } from './batch/operations/delete-operation.js';
export type { DeleteOperationOptions } from './batch/operations/delete-operation.js';
export { CallOperation } from './batch/operations/call-operation.js';
export type { CallOperationOptions } from './batch/operations/call-operation.js';
export type { MethodCall } from './batch/operations/method-call.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_ON_ERROR,
  DEFAULT_RETRY_ATTEMPTS,
  ON_ERROR_POLICIES,
  resolveBatchOptions,
} from './batch/batch-options.js';
export type { BatchOptions, OnErrorPolicy, ResolvedBatchOptions } from './batch/batch-options.js';
export type {
  BatchEvent,
  BatchEventListener,
  BatchEventType,
  BatchProgress,
  ChunkRef,
  ProgressCallback,
} from './batch/batch-events.js';
export type { CheckpointChunk, ChunkCheckpoint, ChunkSettlement } from './batch/chunk-checkpoint.js';
export type { BatchStats } from './batch/batch-stats.js';
export type { FailedChunk, OperationResult, RecordRejection } from './batch/operations/operation-result.js';
export { OdooChunkSender, DEFAULT_IDEMPOTENT_CREATE } from './batch/send/odoo-chunk-sender.js';
export type { IdempotentCreateStrategy, OdooChunkSenderOptions } from './batch/send/odoo-chunk-sender.js';
export type {
  ChunkRequest,
  ChunkSendOptions,
  ChunkSendResult,
  ChunkSender,
  ReconcileResult,
  RowRejection,
} from './batch/send/chunk-sender.js';
export type { BatchClient } from './batch/batch-client.js';

// Plan files (src/plan/): load, references, evaluation, graph.
export { loadPlan, DEFAULT_MAX_PROBLEMS_PER_DATA_FILE } from './plan/load/load-plan.js';
export type { LoadPlanOptions } from './plan/load/load-plan.js';
export {
  PLAN_FORMAT_VERSION,
  DEFAULT_PLAN_CHUNK_SIZE,
  DEFAULT_PLAN_CONCURRENCY,
  DEFAULT_PLAN_ON_ERROR,
  DEFAULT_STEP_PRIORITY,
  stepWrites,
} from './plan/model/plan-types.js';
export type {
  Plan,
  PlanStep,
  PlanDefaults,
  StepAction,
  StepWrites,
  PlanOnError,
  RecordsFormat,
  RecordsSource,
  InlineRecords,
  FileRecords,
  SourcePosition,
  SourceRow,
  TemplatePart,
  ValueTemplate,
  X2manyOperation,
  PlanLines,
  PlanUnlisted,
  LineRecordsSource,
  NestedLineRecords,
} from './plan/model/plan-types.js';
export { DEFAULT_PLAN_UNLISTED } from './plan/model/plan-types.js';
export { readDataFile, readDataFileBatches, formatFromExtension } from './plan/sources/record-sources.js';
export {
  openRecords,
  openRecordBatches,
  inlineRecordProvider,
  fileRecordProvider,
} from './plan/sources/record-provider.js';
export type { RecordProvider } from './plan/sources/record-provider.js';
export type { OpenRecordsOptions, DataFileSpec, ReadDataFileOptions } from './plan/sources/record-sources.js';
export { evaluateRecord, evaluateWhere } from './plan/evaluate/evaluate-record.js';
export { stepReferences } from './plan/model/template-walk.js';
export { recordKey } from './plan/model/record-key.js';
export { keyDomain, keyPart, keyString } from './batch/send/record-keys.js';
export type { ReferenceResolver, ReferenceContext, EvaluateOptions } from './plan/evaluate/evaluate-record.js';
export type { StepReference } from './plan/model/template-walk.js';
export type { KeyValue } from './batch/send/record-keys.js';
export { compilePlan, buildPlanGraph } from './plan/graph/plan-graph.js';
export type { PlanGraph, PlanGraphNode, PlanGraphEdge, PlanEdgeKind, PlanCycle } from './plan/graph/plan-graph.js';
export { problemAt, findPosition } from './plan/model/plan-positions.js';
export { checkPlanFields, validatePlanRemote, planModels } from './plan/check/check-plan-fields.js';
export type { CheckPlanFieldsOptions, FieldsGetClient } from './plan/check/check-plan-fields.js';
export type { ModelFields } from './plan/model/model-fields.js';
export { isUnknownModelFault } from './plan/check/check-plan-fields.js';
export { checkPlanReferences } from './plan/check/check-plan-references.js';
export {
  DEFAULT_MAX_MISSING_KEYS_PER_STEP,
  DEFAULT_MAX_REFERENCE_PROBLEMS,
  DEFAULT_REFERENCE_CHECK_CONCURRENCY,
} from './plan/check/reference-check-options.js';
export type { CheckPlanReferencesOptions, ReferenceCheckClient } from './plan/check/reference-check-options.js';
export { ReferenceCache } from './plan/references/reference-cache.js';
export type { CachedXmlid } from './plan/references/reference-cache.js';
export { renderGraph, graphToJson, GRAPH_FORMATS, GRAPH_JSON_VERSION } from './plan/graph/render-graph.js';
export type { GraphFormat } from './plan/graph/render-graph.js';
export { planSchema, PLAN_SCHEMA_URL } from './plan/load/plan-schema.js';

// Dry-run diff, apply, checkpoint journal and lock (src/plan/diff*, apply*, journal, lock).
export { JournalError, PlanChangedError, LockHeldError, StaleDiffError, DependencyFailedError } from './errors.js';
export type { LockHolder } from './errors.js';
export { computeDiff, stateFingerprint } from './plan/diff/diff-plan.js';
export type { ComputeDiffOptions } from './plan/diff/diff-plan.js';
export { DIFF_FORMAT_VERSION, hasChanges, isPendingRef, summarize } from './plan/model/diff-types.js';
export type {
  Diff,
  DiffCreate,
  DiffDelete,
  DiffSummary,
  DiffUpdate,
  FieldChange,
  PendingRef,
  StepDiff,
  DocumentLines,
  LineChanges,
  LineCreate,
  LineDelete,
  LineUpdate,
} from './plan/model/diff-types.js';
export { lineCommands } from './plan/model/line-commands.js';
export { sameValue, valueToWrite, changedFields } from './plan/model/field-values.js';
export { renderDiffText, PLAIN_STYLE, DEFAULT_TEXT_MAX_ITEMS } from './plan/render/render-text.js';
export type { DiffStyle, TextRenderOptions } from './plan/render/render-text.js';
export {
  renderDiffMarkdown,
  DEFAULT_MARKDOWN_FOLD_AFTER,
  DEFAULT_MARKDOWN_MAX_ITEMS,
} from './plan/render/render-markdown.js';
export type { MarkdownRenderOptions } from './plan/render/render-markdown.js';
export { renderDiffJson, parseDiffJson, readDiffFile } from './plan/render/render-json.js';
export { applyPlan, applyDiff } from './plan/apply/apply.js';
export { DEFAULT_DIFF_CONCURRENCY } from './plan/apply/apply-options.js';
export type { ApplyClient, ApplyOptions } from './plan/apply/apply-options.js';
export type { ApplyEvent, ApplyListener, ApplyResult, StepResult, StepStatus } from './plan/apply/apply-events.js';
export { planModule, recordXmlid } from './plan/evaluate/plan-xmlid.js';
export { StateReader } from './plan/references/state-reader.js';
export type { StateClient, ReadRecord } from './plan/references/state-reader.js';
export {
  JournalWriter,
  readJournal,
  parseJournal,
  foldJournal,
  journalPath,
  journalFileName,
  removeJournal,
  DEFAULT_STATE_DIR,
  JOURNAL_FORMAT_VERSION,
} from './plan/checkpoint/journal.js';
export type { AppendOptions, JournalEntry, JournalState, StepCounts, RunStatus } from './plan/checkpoint/journal.js';
export { FileJournalStore, fileJournalStore } from './plan/checkpoint/file-journal-store.js';
export { MemoryJournalStore } from './plan/checkpoint/memory-journal-store.js';
export type { JournalStore, JournalAppender } from './plan/checkpoint/journal-store.js';
export {
  acquireLock,
  forceReleaseLock,
  readLock,
  lockKey,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_LOCK_REFRESH_MS,
  MIGRATIONS_LOCK_NAME,
} from './plan/lock/lock.js';
export type { HeldLock, LockClient, LockOptions } from './plan/lock/lock.js';

// Versioned data migrations (src/plan/ migrations, ledger).
export { MigrationError } from './errors.js';
export { Migrator } from './migrate/migrator.js';
export { selectMigrations } from './migrate/select-migrations.js';
export { describeApplier, CHECKSUM_ENV } from './migrate/migrator-options.js';
export { targetMigrationLock } from './migrate/migration-lock.js';
export type { SelectOptions, MigrationSelection, SelectedMigration } from './migrate/select-migrations.js';
export type {
  MigratorOptions,
  MigratorCallOptions,
  MigrationReport,
  MigrationValidation,
  LoadedMigration,
  LoadMigrationPlan,
  MigrationPlanInfo,
} from './migrate/migrator-options.js';
export type { AcquireMigrationLock, MigrationLockHandle } from './migrate/migrator-options.js';
export { planMigrationEngine } from './migrate/migration-engine.js';
export type { MigrationEngine, PlanMigrationEngineOptions } from './migrate/migration-engine.js';
export type {
  MigrateEvent,
  MigrateListener,
  MigrateResult,
  MigrationRunResult,
  MigrationRunStatus,
  MigratePreview,
  MigrationPreview,
  DependentStep,
} from './migrate/migrate-events.js';
export { findDependentSteps } from './migrate/migration-dependencies.js';
export type { PendingWrites } from './migrate/migration-dependencies.js';
export { discoverMigrations, DEFAULT_MIGRATIONS_DIR } from './migrate/discover-migrations.js';
export type {
  MigrationFile,
  MigrationSet,
  IgnoredEntry,
  IgnoredReason,
  DiscoverMigrationsOptions,
} from './migrate/discover-migrations.js';
export {
  parseMigrationFileName,
  compareMigrationVersions,
  canonicalMigrationVersion,
  isMigrationVersion,
  MIGRATION_EXTENSIONS,
} from './migrate/migration-version.js';
export type { ParsedMigrationName, MigrationVersionStyle } from './migrate/migration-version.js';
export { computeMigrationStatus, describeChangedMigration, MIGRATION_STATES } from './migrate/migration-status.js';
export type {
  MigrationState,
  MigrationStatus,
  MigrationStatusItem,
  MigrationCandidate,
  MigrationDifference,
} from './migrate/migration-status.js';
export { verifyLedgerStore, parseLedgerEntry, serializeLedgerEntry, LEDGER_FORMAT_VERSION } from './migrate/ledger.js';
export type { LedgerEntry, LedgerStore, LedgerCallOptions } from './migrate/ledger.js';
export {
  ConfigParameterLedgerStore,
  ledgerKey,
  LEDGER_KEY_PREFIX,
  LEDGER_MODEL,
} from './migrate/config-parameter-ledger-store.js';
export type { LedgerClient } from './migrate/config-parameter-ledger-store.js';
export { memoryLedgerStore } from './migrate/memory-ledger-store.js';
export type { MemoryLedgerStore } from './migrate/memory-ledger-store.js';
