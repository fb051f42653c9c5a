/**
 * The one error hierarchy of zenoo.
 *
 * Every error thrown or reported by the library is a {@link ZenooError}: it has a stable `code` that callers can
 * switch on, the underlying `cause`, and structured context (url, model, method, step, chunk, record indexes) so that
 * a message can always say what happened, where, and what to do. Secrets (passwords, API keys) are never part of a
 * message or of the context: the code that builds an error only ever receives the login, never the secret.
 *
 * Layout of this file: base class, transport errors, Odoo faults (mapped from `error.data.name`), client-level errors,
 * batch errors, plan errors. Add new classes to the section they belong to.
 *
 * @packageDocumentation
 */

/** Where an error happened, as far as the code that raised it knows. All fields are optional. */
export interface ErrorContext {
  /** Base URL of the Odoo server (never with credentials). */
  readonly url?: string;
  /** Database name. */
  readonly db?: string;
  /** Odoo model, e.g. `res.partner`. */
  readonly model?: string;
  /** ORM method or RPC service method, e.g. `create`. */
  readonly method?: string;
  /** Plan step id. */
  readonly step?: string;
  /** Chunk index within an operation or step (0-based). */
  readonly chunk?: number;
  /** Indexes of the affected records in the caller's input (0-based). */
  readonly recordIndexes?: readonly number[];
}

/** Options accepted by every zenoo error constructor. */
export interface ZenooErrorOptions extends ErrorContext {
  /** The error that caused this one. */
  readonly cause?: unknown;
}

/** Codes of the {@link TransportError}s. */
export type TransportErrorCode = 'ERR_HTTP' | 'ERR_NETWORK' | 'ERR_TIMEOUT' | 'ERR_ABORTED' | 'ERR_PROTOCOL';

/** Codes of the {@link RpcFault}s, one per Odoo exception a client handles differently. */
export type RpcFaultCode =
  | 'ERR_ODOO_FAULT'
  | 'ERR_ODOO_VALIDATION'
  | 'ERR_ODOO_ACCESS'
  | 'ERR_ODOO_ACCESS_DENIED'
  | 'ERR_ODOO_MISSING'
  | 'ERR_ODOO_USER'
  | 'ERR_ODOO_INVALID_VALUE'
  | 'ERR_ODOO_SESSION_EXPIRED'
  | 'ERR_ODOO_CONCURRENCY';

/** Codes of the {@link MigrationError}s. */
export type MigrationErrorCode =
  | 'ERR_MIGRATION_DUPLICATE'
  | 'ERR_MIGRATION_NAME'
  | 'ERR_MIGRATION_CHANGED'
  | 'ERR_MIGRATION_OUT_OF_ORDER'
  | 'ERR_MIGRATION_LEDGER'
  | 'ERR_MIGRATION_VERSION'
  | 'ERR_MIGRATION_FAILED';

/**
 * Every code a zenoo error can have. Each belongs to one class (the class sets it), so that code that switches on
 * `error.code` sees every case and a new code cannot appear without its class.
 */
export type ZenooErrorCode =
  | 'ERR_ZENOO'
  | TransportErrorCode
  | RpcFaultCode
  | 'ERR_AUTHENTICATION'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_OUTCOME_UNKNOWN'
  | 'ERR_CONFIGURATION'
  | 'ERR_BATCH_VALIDATION'
  | 'ERR_BATCH_ROW_REJECTED'
  | 'ERR_BATCH_EXECUTION'
  | 'ERR_TRANSACTION_COMPENSATED'
  | 'ERR_TRANSACTION_COMPENSATION_INCOMPLETE'
  | 'ERR_PLAN_INVALID'
  | 'ERR_JOURNAL'
  | 'ERR_PLAN_CHANGED'
  | 'ERR_LOCK_HELD'
  | 'ERR_DIFF_STALE'
  | 'ERR_DEPENDENCY_FAILED'
  | MigrationErrorCode;

/**
 * Base class of every zenoo error.
 *
 * `code` is stable across versions (like Node's `err.code`); messages may be improved at any time. The constructor is
 * protected: an error is always one of the classes below, which own their codes.
 */
export abstract class ZenooError extends Error {
  /** Stable machine-readable code, e.g. `ERR_ODOO_VALIDATION`. */
  readonly code: ZenooErrorCode;
  /** Where the error happened. */
  readonly context: ErrorContext;

  protected constructor(message: string, code: ZenooErrorCode, options: ZenooErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    const { cause: _cause, ...context } = options;
    this.context = Object.freeze({ ...context });
  }

  /** Odoo model from the context, if known. */
  get model(): string | undefined {
    return this.context.model;
  }

  /** Method from the context, if known. */
  get method(): string | undefined {
    return this.context.method;
  }

  /** A plain, JSON-safe view of the error (used by `--json` outputs, journals and rejects files). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.context };
  }
}

/**
 * Something that is not one of zenoo's own errors (a bug, a failing callback, a file system error) met on the way,
 * wrapped so that it carries a code, the context and the original as `cause`.
 */
export class UnexpectedError extends ZenooError {
  constructor(message: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_ZENOO', options);
  }

  /** `error` itself when it is a zenoo error, otherwise wrapped (its message kept, the original as `cause`). */
  static wrap(error: unknown, context: ErrorContext = {}): ZenooError {
    if (error instanceof ZenooError) return error;
    return new UnexpectedError(error instanceof Error ? error.message : String(error), { ...context, cause: error });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Transport errors: the request did not produce a JSON-RPC answer.
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Whether a request reached the server.
 *
 * - `not-sent`: the server cannot have seen it (connection refused, DNS failure): always safe to resend.
 * - `sent`: the request left this process; the server may or may not have processed it.
 */
export type RequestPhase = 'not-sent' | 'sent';

/** Base class of transport failures (HTTP status, network, timeout, abort, non-JSON-RPC answers). */
export class TransportError extends ZenooError {
  /** Whether the request may have reached the server. */
  readonly phase: RequestPhase;

  protected constructor(
    message: string,
    code: TransportErrorCode,
    phase: RequestPhase,
    options: ZenooErrorOptions = {},
  ) {
    super(message, code, options);
    this.phase = phase;
  }
}

/** The server answered with a non-2xx HTTP status (e.g. 400 `Invalid JSON data`, 502/503/504 from a proxy). */
export class HttpError extends TransportError {
  /** HTTP status code. */
  readonly status: number;
  /** The first few hundred characters of the response body. */
  readonly bodyExcerpt: string;
  /** Delay asked by a `Retry-After` header, in milliseconds, if any. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: { status: number; bodyExcerpt: string; retryAfterMs?: number | undefined },
    options: ZenooErrorOptions = {},
  ) {
    super(message, 'ERR_HTTP', 'sent', options);
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A network failure: connection refused or reset, DNS failure, socket hang-up. */
export class NetworkError extends TransportError {
  /** The system error code, e.g. `ECONNREFUSED`, `ECONNRESET`. */
  readonly syscallCode: string | undefined;

  constructor(message: string, phase: RequestPhase, syscallCode: string | undefined, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_NETWORK', phase, options);
    this.syscallCode = syscallCode;
  }
}

/** The call did not answer within its timeout; the request was aborted. */
export class TimeoutError extends TransportError {
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, phase: RequestPhase, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_TIMEOUT', phase, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the call through its `AbortSignal`. */
export class AbortError extends TransportError {
  constructor(
    message = 'The operation was aborted.',
    phase: RequestPhase = 'not-sent',
    options: ZenooErrorOptions = {},
  ) {
    super(message, 'ERR_ABORTED', phase, options);
  }
}

/** The server answered, but not with Odoo JSON-RPC (an HTML page, garbage, another kind of server). */
export class ProtocolError extends TransportError {
  /** The first few hundred characters of the response body. */
  readonly bodyExcerpt: string;

  constructor(message: string, bodyExcerpt: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_PROTOCOL', 'sent', options);
    this.bodyExcerpt = bodyExcerpt;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Odoo faults: the server answered with a JSON-RPC `error` object. Mapped by `error.data.name`.
// ---------------------------------------------------------------------------------------------------------------------

/** The `error` member of an Odoo JSON-RPC response, as sent on the wire. */
export interface OdooErrorPayload {
  /** JSON-RPC error code: 200 for server errors, 100 for an expired session, 404 for unknown routes/objects. */
  readonly code: number;
  /** Envelope message, e.g. `Odoo Server Error`. */
  readonly message: string;
  /** Odoo's details. */
  readonly data?: {
    /** Fully qualified exception name, e.g. `odoo.exceptions.ValidationError`. */
    readonly name?: string;
    /** The exception's message. */
    readonly message?: string;
    /** The server-side traceback (may be shortened). */
    readonly debug?: string;
    /** The exception's arguments. */
    readonly arguments?: readonly unknown[];
    /** The request context echoed back. */
    readonly context?: Record<string, unknown>;
  };
}

/**
 * A fault reported by the Odoo server (any `error` answer). Subclasses exist for the names a client handles
 * differently; anything else stays a plain `RpcFault` keeping the name, message and debug trace.
 *
 * A fault means the server processed the call and rolled its transaction back: nothing was committed.
 */
export class RpcFault extends ZenooError {
  /** `error.data.name`, e.g. `odoo.exceptions.ValidationError`. */
  readonly faultName: string;
  /** `error.data.message`: Odoo's own message, shown to users as is. */
  readonly faultMessage: string;
  /** `error.data.debug`: the server traceback. */
  readonly debug: string;
  /** `error.code` of the JSON-RPC envelope. */
  readonly rpcCode: number;

  constructor(payload: OdooErrorPayload, code: RpcFaultCode = 'ERR_ODOO_FAULT', options: ZenooErrorOptions = {}) {
    const faultName = payload.data?.name ?? 'unknown';
    const faultMessage = payload.data?.message ?? payload.message;
    const where = [options.model, options.method].filter(Boolean).join('.');
    super(`${where ? `${where}: ` : ''}${faultMessage} (${faultName})`, code, options);
    this.faultName = faultName;
    this.faultMessage = faultMessage;
    this.debug = payload.data?.debug ?? '';
    this.rpcCode = payload.code;
  }
}

/** `odoo.exceptions.ValidationError`: a constraint failed (required field, unique constraint, Python constraint). */
export class ValidationError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_VALIDATION', options);
  }
}

/** `odoo.exceptions.AccessError`: the user lacks the rights for this model or record. */
export class AccessError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_ACCESS', options);
  }
}

/** `odoo.exceptions.AccessDenied`: wrong credentials on an authenticated call. */
export class AccessDeniedError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_ACCESS_DENIED', options);
  }
}

/** `odoo.exceptions.MissingError`: a record does not exist or has been deleted. */
export class MissingError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_MISSING', options);
  }
}

/** `odoo.exceptions.UserError`: a business rule refused the operation. */
export class UserError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_USER', options);
  }
}

/** `builtins.ValueError` (and similar): an invalid field, domain leaf or value. */
export class InvalidValueError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_INVALID_VALUE', options);
  }
}

/** `odoo.http.SessionExpiredException`: the web session is gone; log in again. */
export class SessionExpiredError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_SESSION_EXPIRED', options);
  }
}

/**
 * A serialization failure, deadlock or lock-not-available reported by the server after rolling back: nothing was
 * committed, so the call is safe to retry.
 */
export class ConcurrencyError extends RpcFault {
  constructor(payload: OdooErrorPayload, options: ZenooErrorOptions = {}) {
    super(payload, 'ERR_ODOO_CONCURRENCY', options);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Client-level errors.
// ---------------------------------------------------------------------------------------------------------------------

/** A call on a client after `close()`: its connections are gone; create a new client. */
export class ClientClosedError extends ZenooError {
  constructor(message: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_CLIENT_CLOSED', options);
  }
}

/** `common.authenticate` answered `false`: wrong login, password or API key, or a database the user cannot use. */
export class AuthenticationError extends ZenooError {
  /** The login that was refused (never the secret). */
  readonly login: string;

  constructor(message: string, login: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_AUTHENTICATION', options);
    this.login = login;
  }
}

/**
 * A write whose outcome is unknown: the request was sent but no answer came back (timeout, connection reset). The
 * server may or may not have committed it. zenoo never resends such a write blindly: the caller must reconcile (look
 * the records up by external id or key) and redo only what is missing.
 */
export class OutcomeUnknownError extends ZenooError {
  /** The records the write was about: values for `create`, ids for `write`/`unlink`. */
  readonly records: readonly unknown[];

  constructor(message: string, records: readonly unknown[], options: ZenooErrorOptions = {}) {
    super(message, 'ERR_OUTCOME_UNKNOWN', options);
    this.records = records;
  }
}

/** Invalid configuration or options (a missing URL, a bad profile, an option out of range). */
export class ConfigurationError extends ZenooError {
  constructor(message: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_CONFIGURATION', options);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Batch errors (src/batch/).
// ---------------------------------------------------------------------------------------------------------------------

/** An operation is invalid and was refused before anything was sent to the server. */
export class BatchValidationError extends ZenooError {
  /** The operation that is invalid. */
  readonly operationId: string | undefined;
  /** Index of the offending record in the operation's input, if the problem is one record. */
  readonly recordIndex: number | undefined;

  constructor(
    message: string,
    details: { operationId?: string | undefined; recordIndex?: number | undefined } = {},
    options: ZenooErrorOptions = {},
  ) {
    super(message, 'ERR_BATCH_VALIDATION', options);
    this.operationId = details.operationId;
    this.recordIndex = details.recordIndex;
  }
}

/** A row that `load` (or an idempotent create) refused; nothing of its chunk was committed by that call. */
export class LoadRowError extends ZenooError {
  /** Technical name of the field at fault, when the server named one. */
  readonly field: string | undefined;
  /** The server's own message, as is. */
  readonly serverMessage: string;

  constructor(serverMessage: string, field: string | undefined, options: ZenooErrorOptions = {}) {
    const where = [options.model, options.method].filter(Boolean).join('.');
    super(
      `${where ? `${where}: ` : ''}row refused${field ? ` (field ${field})` : ''}: ${serverMessage}`,
      'ERR_BATCH_ROW_REJECTED',
      options,
    );
    this.field = field;
    this.serverMessage = serverMessage;
  }
}

/** What one batch operation did, as carried by {@link BatchExecutionError} (`OperationResult` in src/batch). */
export interface BatchPartialResult {
  /** The operation. */
  readonly operationId: string;
  /** Its model. */
  readonly model: string;
  /** Per input index, the id applied (`undefined`: rejected, not sent, or outcome unknown). */
  readonly ids: readonly (number | undefined)[];
  /** Records the server refused, by input index. */
  readonly rejected: readonly { readonly index: number; readonly error: ZenooError }[];
  /** Chunks that failed as a whole (nothing of them applied). */
  readonly failedChunks: readonly {
    readonly chunkIndex: number;
    readonly inputIndexes: readonly number[];
    readonly error: ZenooError;
  }[];
  /** Input indexes whose outcome is unknown (sent, answer lost, not reconcilable): they may exist on the server. */
  readonly unknown: readonly number[];
}

/**
 * A batch did not apply every record. Carries the partial results: ids of everything that succeeded (by input
 * index), the rejected records with their errors, the failed chunks, and the records whose outcome is unknown.
 */
export class BatchExecutionError extends ZenooError {
  /** Per operation, what it did. */
  readonly results: readonly BatchPartialResult[];

  /** @param results - what each operation did; empty when the failure is not one operation's (a stopped run). */
  constructor(message: string, results: readonly BatchPartialResult[] = [], options: ZenooErrorOptions = {}) {
    super(message, 'ERR_BATCH_EXECUTION', options);
    this.results = results;
  }

  /** Ids by input index of the first (for bulk methods: the only) operation. */
  get ids(): readonly (number | undefined)[] {
    return this.results[0]?.ids ?? [];
  }

  /** Rejected records of the first (for bulk methods: the only) operation. */
  get rejected(): BatchPartialResult['rejected'] {
    return this.results[0]?.rejected ?? [];
  }

  /** Input indexes of unknown outcome of the first (for bulk methods: the only) operation. */
  get unknown(): readonly number[] {
    return this.results[0]?.unknown ?? [];
  }
}

/** One compensating action of a batch transaction. */
export interface CompensationStep {
  /** What was undone: created records unlinked, old values written back, deleted records re-created. */
  readonly action: 'unlink-created' | 'restore-values' | 'recreate-deleted';
  /** Model. */
  readonly model: string;
  /** The ids the original write touched. */
  readonly ids: readonly number[];
  /** For `recreate-deleted`: the new id of each re-created record, in the order of `ids`. */
  readonly newIds?: readonly number[];
  /** Why this step could not be compensated. */
  readonly error?: ZenooError;
}

/** What a failed batch transaction undid, and what it could not. */
export interface CompensationReport {
  /** Steps undone, in the order they were undone (reverse order of the writes). */
  readonly compensated: readonly CompensationStep[];
  /** Steps that could not be undone: the server keeps their effect. */
  readonly failed: readonly CompensationStep[];
  /** Whether every recorded write was undone. */
  readonly complete: boolean;
}

/**
 * A batch transaction's callback threw; its writes were compensated (Odoo had committed each call: this is
 * compensation, not a rollback). `cause` is the callback's error, `report` says what was undone and what was not.
 */
export class TransactionError extends ZenooError {
  /** What was compensated. */
  readonly report: CompensationReport;

  constructor(message: string, report: CompensationReport, options: ZenooErrorOptions = {}) {
    super(
      message,
      report.complete ? 'ERR_TRANSACTION_COMPENSATED' : 'ERR_TRANSACTION_COMPENSATION_INCOMPLETE',
      options,
    );
    this.report = report;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Plan errors (src/plan/).
// ---------------------------------------------------------------------------------------------------------------------

/** One problem found in a plan or one of its data files, with its exact place. */
export interface PlanProblem {
  /** File the problem is in (as given by the user, or relative to the working directory). */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly col?: number;
  /** Path of the offending node, e.g. `steps[1].values.parent_id`, or `row 12` for a data file. */
  readonly path?: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly hint?: string;
}

/** Formats a problem as `FILE:LINE:COL  path  message (hint)`. */
export function formatPlanProblem(problem: PlanProblem): string {
  const place = [problem.file, problem.line, problem.col].filter((part) => part !== undefined).join(':');
  const path = problem.path ? `  ${problem.path}` : '';
  const hint = problem.hint ? `\n    hint: ${problem.hint}` : '';
  return `${place}${path}  ${problem.message}${hint}`;
}

/** A plan (or its data) is invalid. Carries every problem found, not just the first. */
export class PlanValidationError extends ZenooError {
  /** All problems, in file order. */
  readonly problems: readonly PlanProblem[];

  constructor(problems: readonly PlanProblem[], options: ZenooErrorOptions = {}) {
    const count = problems.length;
    super(
      `The plan has ${count} problem${count === 1 ? '' : 's'}:\n${problems.map(formatPlanProblem).join('\n')}`,
      'ERR_PLAN_INVALID',
      options,
    );
    this.problems = problems;
  }
}

/**
 * A row's reference found nothing when its step ran: a lookup on a model that an earlier step writes (so the check
 * before the apply could not know). The row is rejected with its file and row; the step's other rows go on.
 */
export class RowReferenceError extends PlanValidationError {}

/** The checkpoint journal of a plan cannot be read or written, or is damaged. */
export class JournalError extends ZenooError {
  /** Path of the journal file. */
  readonly file: string;

  constructor(message: string, file: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_JOURNAL', options);
    this.file = file;
  }
}

/** The plan (or its data) changed since its unfinished journal was written: resuming could mix two plans. */
export class PlanChangedError extends ZenooError {
  /** Fingerprint recorded in the journal. */
  readonly journalFingerprint: string;
  /** Fingerprint of the plan as it is now. */
  readonly planFingerprint: string;

  constructor(message: string, fingerprints: { journal: string; plan: string }, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_PLAN_CHANGED', options);
    this.journalFingerprint = fingerprints.journal;
    this.planFingerprint = fingerprints.plan;
  }
}

/** Who holds a plan lock in the target, as stored in its `ir.config_parameter` value. */
export interface LockHolder {
  /** Host name of the holder. */
  readonly host: string;
  /** Process id of the holder on its host. */
  readonly pid: number;
  /** OS user of the holder. */
  readonly user: string;
  /** ISO time the lock was taken. */
  readonly startedAt: string;
  /** ISO time after which the lock is stale unless refreshed. */
  readonly expiresAt: string;
}

/** Another apply of the same plan holds the lock in the target. */
export class LockHeldError extends ZenooError {
  /** The `ir.config_parameter` key of the lock. */
  readonly key: string;
  /** The holder, when its value could be read. */
  readonly holder: LockHolder | undefined;

  constructor(message: string, key: string, holder: LockHolder | undefined, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_LOCK_HELD', options);
    this.key = key;
    this.holder = holder;
  }
}

/** A saved diff no longer matches the target: records it read changed (write_date) or appeared since. */
export class StaleDiffError extends ZenooError {
  /** The records that changed, as `model,id (display name)` or `model key` descriptions. */
  readonly records: readonly string[];

  constructor(message: string, records: readonly string[], options: ZenooErrorOptions = {}) {
    super(message, 'ERR_DIFF_STALE', options);
    this.records = records;
  }
}

/** A plan step was not run because a step it depends on failed. */
export class DependencyFailedError extends ZenooError {
  /** The step that failed. */
  readonly dependency: string;

  constructor(message: string, dependency: string, options: ZenooErrorOptions = {}) {
    super(message, 'ERR_DEPENDENCY_FAILED', options);
    this.dependency = dependency;
  }
}

/**
 * A migrations directory, a migration ledger or a migration run is inconsistent: duplicate versions, a file name
 * without a version, an applied migration whose file changed, a pending migration older than the last applied one, a
 * damaged ledger entry. `code` says which (`ERR_MIGRATION_DUPLICATE`, `ERR_MIGRATION_NAME`, `ERR_MIGRATION_CHANGED`,
 * `ERR_MIGRATION_OUT_OF_ORDER`, `ERR_MIGRATION_LEDGER`, `ERR_MIGRATION_VERSION`, `ERR_MIGRATION_FAILED`).
 */
export class MigrationError extends ZenooError {
  /** The migration versions concerned, in version order. */
  readonly versions: readonly string[];
  /** The migration files concerned, as given or found. */
  readonly files: readonly string[];

  constructor(
    message: string,
    code: MigrationErrorCode,
    details: { readonly versions?: readonly string[]; readonly files?: readonly string[] } = {},
    options: ZenooErrorOptions = {},
  ) {
    super(message, code, options);
    this.versions = details.versions ?? [];
    this.files = details.files ?? [];
  }
}
