/**
 * What a batch operation does and where it is in its lifecycle: the write actions of the Batch API.
 *
 * @packageDocumentation
 */

/** What an operation does. */
export type OperationType = 'create' | 'update' | 'delete';

/**
 * Lifecycle of an operation: `pending` → `running` → `completed` (every record applied), `partial` (some records
 * applied, some rejected or of unknown outcome), `failed` (nothing applied) or `cancelled` (aborted or stopped before
 * it could finish).
 */
export type OperationStatus = 'pending' | 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';
