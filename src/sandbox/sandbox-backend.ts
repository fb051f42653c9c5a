/**
 * What the sandbox's HTTP layer needs from its database: authentication and one-transaction ORM calls. The ORM's
 * `SandboxDatabase` (src/sandbox/orm/) implements it; the HTTP layer depends only on this contract, which keeps the
 * protocol code independent of how records are stored.
 *
 * @packageDocumentation
 */

/** One ORM call, as received through `object.execute_kw` or `/web/dataset/call_kw`. */
export interface SandboxCall {
  /** The authenticated user. */
  readonly uid: number;
  /** Model name, e.g. `res.partner`. */
  readonly model: string;
  /** Public method name, e.g. `create`. */
  readonly method: string;
  /** Positional arguments. */
  readonly args: readonly unknown[];
  /** Keyword arguments (including `context`). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** Records written by one committed call, for statistics. */
export interface SandboxWrite {
  /** Model written to. */
  readonly model: string;
  /** Method that wrote (`create`, `write`, `unlink`, `load`, ...). */
  readonly method: string;
  /** Number of records written. */
  readonly count: number;
}

/** A method's Python signature, as the JSON-2 API binds named arguments to it. */
export interface SandboxMethodSignature {
  /** A record method (runs on `ids`); otherwise an `@api.model` method (refuses `ids`). */
  readonly records: boolean;
  /** The parameters after `self`, in order; a parameter without `default` is required. */
  readonly params: readonly { readonly name: string; readonly default?: unknown }[];
  /** Whether the method takes `**kwargs`. */
  readonly extraKwargs: boolean;
}

/** What a model's method is, for a named-argument (JSON-2) call. */
export type SandboxMethodLookup =
  | { readonly kind: 'unknown-model' | 'private' | 'unknown-method' }
  | { readonly kind: 'method'; readonly signature: SandboxMethodSignature };

/** The database behind a sandbox. Every `execute` is one transaction: it commits entirely or throws. */
export interface SandboxBackend {
  /** API key of the admin user, usable in the password slot of `/jsonrpc` calls. */
  readonly apiKey: string;
  /** Returns the uid for valid credentials, `false` otherwise (never throws for bad credentials). */
  authenticate(login: string, password: string, options: { readonly allowApiKey: boolean }): number | false;
  /** Whether `password` (or, when allowed, an API key) is valid for `uid`. */
  checkCredentials(uid: number, password: string, options: { readonly allowApiKey: boolean }): boolean;
  /** The uid of the active user owning API key `key` (bearer authentication), `false` for any other key. */
  authenticateApiKey(key: string): number | false;
  /** Looks `method` of `model` up for a named-argument call. */
  describeMethod(model: string, method: string): SandboxMethodLookup;
  /** The login of `uid`, or `undefined` when no such user exists. */
  loginOf(uid: number): string | undefined;
  /** Runs one ORM call in its own transaction; throws `OdooServerError` after rolling back. */
  execute(call: SandboxCall): { readonly result: unknown; readonly writes: readonly SandboxWrite[] };
  /** Closes the database (the file, if any, is kept). */
  close(): void;
}
