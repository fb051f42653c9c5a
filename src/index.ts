/**
 * Public API of zenoo. Everything exported here is documented and stable; nothing is exported implicitly.
 *
 * @packageDocumentation
 */
export {
  ZenooError,
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
  PlanValidationError,
  formatPlanProblem,
} from './errors.js';
export type { ErrorContext, ZenooErrorOptions, RequestPhase, OdooErrorPayload, PlanProblem } from './errors.js';
