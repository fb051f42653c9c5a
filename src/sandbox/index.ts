/**
 * `zenoo/sandbox`: an embedded Odoo 17-compatible JSON-RPC server (SQLite) with fault injection, for tests,
 * benchmarks and trying zenoo without an Odoo server.
 *
 * @packageDocumentation
 */
export { startSandbox } from './start-sandbox.js';
export type { Sandbox } from './start-sandbox.js';
export {
  DEFAULT_SANDBOX_DB,
  DEFAULT_SANDBOX_HOST,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_SANDBOX_MODELS,
  DEFAULT_SANDBOX_SEED,
  DEFAULT_SANDBOX_ODOO_VERSION,
  SANDBOX_MODEL_SETS,
  SANDBOX_ODOO_VERSIONS,
  resolveSandboxOptions,
} from './sandbox-options.js';
export type {
  ResolvedSandboxOptions,
  SandboxLatency,
  SandboxModels,
  SandboxOdooVersion,
  SandboxOptions,
} from './sandbox-options.js';
export {
  DEFAULT_FAULT_SCOPE,
  DEFAULT_SLOW_MS,
  NO_FAULTS,
  TRANSIENT_FAULT_KINDS,
  formatFaultSpec,
  parseFaultSpec,
  resolveFaults,
} from './sandbox-faults.js';
export type {
  FaultKind,
  FaultScope,
  ResolvedSandboxFaults,
  SandboxFaults,
  TransientFaultKind,
} from './sandbox-faults.js';
export type { SandboxStats } from './sandbox-stats.js';
export { WorkerPool, recordsOfCall, resolveCapacity } from './server-capacity.js';
export type { ResolvedSandboxCapacity, SandboxCapacity, WorkerTicket } from './server-capacity.js';
export { SANDBOX_ODOO_19_VERSION, SANDBOX_ODOO_VERSION } from './odoo-version.js';
export type { OdooVersionInfo } from './odoo-version.js';
export { OdooServerError } from './odoo-server-error.js';
