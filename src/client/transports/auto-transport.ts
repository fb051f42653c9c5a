/**
 * Mode `auto`: asks the server's version once, before the first login, and then talks JSON-2 to Odoo 19 and later
 * when it has an API key, `/jsonrpc` otherwise. Odoo 19 deprecates `/jsonrpc` and schedules it for removal in Odoo
 * 20, and JSON-2 takes API keys only: with a password, Odoo 19 still gets `/jsonrpc` (with a notice saying how to
 * create a key), Odoo 20 and later a clear refusal.
 *
 * @packageDocumentation
 */
import { ConfigurationError, HttpError, ProtocolError } from '../../errors.js';
import type { OdooTransport, OrmCall, TransportCallOptions, TransportConfig } from '../odoo-transport.js';
import { parseOdooVersion } from '../parse-odoo-version.js';
import { JsonRpcTransport } from './json-rpc-transport.js';
import { API_KEY_HOWTO, Json2Transport } from './json2-transport.js';

/** The first major version of Odoo with the JSON-2 API. */
export const JSON2_FIRST_MAJOR = 19;
/** The major version of Odoo announced to remove `/jsonrpc` (and `/xmlrpc`). */
export const JSONRPC_REMOVED_MAJOR = 20;

/** Chooses the transport by the server's version; see the module comment. */
export class AutoTransport implements OdooTransport {
  readonly #config: TransportConfig;
  readonly #secretKind: 'password' | 'apiKey';
  readonly #notify: (message: string) => void;
  /** Asks the version: JSON-2's way (`/web/webclient/version_info`), which needs neither `/jsonrpc` nor a login. */
  readonly #probe: Json2Transport;
  #raw: Record<string, unknown> | undefined;
  #chosen: OdooTransport | undefined;
  #choosing: Promise<OdooTransport> | undefined;

  /**
   * @param secretKind - whether `config.secret` is a password or an API key (JSON-2 takes keys only).
   * @param notify - receives advice that does not stop the run (a password on Odoo 19).
   */
  constructor(config: TransportConfig, secretKind: 'password' | 'apiKey', notify: (message: string) => void) {
    this.#config = config;
    this.#secretKind = secretKind;
    this.#notify = notify;
    this.#probe = new Json2Transport(config);
  }

  /** `auto` until the first call chose, then the name of the chosen transport (`json2` or `jsonrpc`). */
  get mode(): string {
    return this.#chosen?.mode ?? 'auto';
  }

  /** The uid, once the chosen transport logged in. */
  get uid(): number | undefined {
    return this.#chosen?.uid;
  }

  /** The version object the choice was made on (asked once). */
  async version(options: TransportCallOptions): Promise<Record<string, unknown>> {
    await this.#choose(options);
    return { ...this.#raw };
  }

  /** Chooses the transport if not done yet, then logs in through it. */
  async authenticate(options: TransportCallOptions): Promise<number> {
    return (await this.#choose(options)).authenticate(options);
  }

  /** Chooses the transport if not done yet, then calls through it. */
  async call(call: OrmCall, options: TransportCallOptions): Promise<unknown> {
    return (await this.#choose(options)).call(call, options);
  }

  /** Releases the connections of the probe and of the chosen transport. */
  close(): void {
    this.#probe.close();
    this.#chosen?.close();
  }

  /** Shared by concurrent first calls; a failed choice (server down) is asked again by the next call. */
  #choose(options: TransportCallOptions): Promise<OdooTransport> {
    if (this.#chosen) return Promise.resolve(this.#chosen);
    this.#choosing ??= this.#doChoose(options).finally(() => {
      this.#choosing = undefined;
    });
    return this.#choosing;
  }

  async #doChoose(options: TransportCallOptions): Promise<OdooTransport> {
    const raw = await this.#askVersion(options);
    const version = parseOdooVersion(raw, { ...options.errorOptions, method: 'version' });
    this.#raw = raw;
    if (version.major < JSON2_FIRST_MAJOR) {
      this.#probe.close();
      return (this.#chosen = new JsonRpcTransport(this.#config));
    }
    if (this.#secretKind === 'apiKey') return (this.#chosen = this.#probe);
    const where = `Odoo ${version.serverVersion} at ${this.#config.baseUrl}`;
    if (version.major >= JSONRPC_REMOVED_MAJOR) {
      throw new ConfigurationError(
        `${where} is reached through its JSON-2 API, which takes an API key, not a password ` +
          `(/jsonrpc, which took passwords, is gone since Odoo ${JSONRPC_REMOVED_MAJOR}). ${API_KEY_HOWTO}`,
        options.errorOptions,
      );
    }
    this.#notify(
      `${where}: using /jsonrpc with the password, which Odoo ${version.major} deprecates and Odoo ` +
        `${JSONRPC_REMOVED_MAJOR} removes. Its replacement, JSON-2, takes an API key, not a password. ${API_KEY_HOWTO}`,
    );
    this.#probe.close();
    return (this.#chosen = new JsonRpcTransport(this.#config));
  }

  /** `/web/webclient/version_info`; `common.version` over `/jsonrpc` when a proxy lets only that through. */
  async #askVersion(options: TransportCallOptions): Promise<Record<string, unknown>> {
    try {
      return await this.#probe.version(options);
    } catch (error) {
      if (!(error instanceof HttpError || error instanceof ProtocolError)) throw error;
      const fallback = new JsonRpcTransport(this.#config);
      try {
        return await fallback.version(options);
      } catch {
        // The first answer says more about the server (an HTML page, a 404 of a proxy) than the fallback's.
        throw error;
      } finally {
        fallback.close();
      }
    }
  }
}
