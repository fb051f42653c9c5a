/**
 * What the HTTP transports share: their connection settings without the secret, the keep-alive JSON-RPC channel,
 * and how they show themselves (inspection and JSON never hold a secret).
 *
 * @packageDocumentation
 */
import { inspect } from 'node:util';
import { JsonRpcHttp } from './json-rpc-http.js';
import type { OdooTransport, OrmCall, TransportCallOptions, TransportConfig } from '../odoo-transport.js';
import { redactSecrets } from '../redact-secrets.js';

/** The base of the transports that talk JSON-RPC over HTTP. */
export abstract class HttpTransport implements OdooTransport {
  abstract readonly mode: string;
  /** The connection settings, without the secret. */
  protected readonly config: Omit<TransportConfig, 'secret'>;
  /** The keep-alive channel; every message it builds has the transport's secrets redacted. */
  protected readonly http: JsonRpcHttp;

  /** @param secrets - the values to redact from every message (read when a message is built: they may change). */
  protected constructor(config: TransportConfig, secrets: () => readonly (string | undefined)[]) {
    const { secret: _secret, ...rest } = config;
    this.config = rest;
    this.http = new JsonRpcHttp({
      baseUrl: config.baseUrl,
      maxSockets: config.maxSockets,
      redact: (text) => redactSecrets(text, secrets()),
    });
  }

  abstract get uid(): number | undefined;
  abstract version(options: TransportCallOptions): Promise<Record<string, unknown>>;
  abstract authenticate(options: TransportCallOptions): Promise<number>;
  abstract call(call: OrmCall, options: TransportCallOptions): Promise<unknown>;

  /** Closes the keep-alive connections. */
  close(): void {
    this.http.close();
  }

  /** What `util.inspect` shows: never a secret. */
  [inspect.custom](): string {
    return `${this.constructor.name} { url: '${this.config.baseUrl}', db: '${this.config.db}', login: '${this.config.login}' }`;
  }

  /** What `JSON.stringify` shows: never a secret. */
  toJSON(): Record<string, unknown> {
    return { mode: this.mode, url: this.config.baseUrl, db: this.config.db, login: this.config.login };
  }
}
