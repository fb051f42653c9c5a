/**
 * One sandbox per test file (or per `describe`), started and closed the same way everywhere, with the admin client
 * most tests need. Test files call {@link withSandbox} instead of writing their own `beforeAll`/`afterAll` pair around
 * `startSandbox()`, so that every file gets the same port, the same cleanup (clients first, then the sandbox, also
 * when a test failed) and the same credentials.
 *
 * Lives in `test/helpers/` rather than beside one test directory because integration and e2e files both use it;
 * its name does not end in `.test.ts`, so vitest does not collect it.
 *
 * @packageDocumentation
 */
import { afterAll, beforeAll } from 'vitest';
import type { OdooClientOptions } from '../../src/client/client-options.js';
import { OdooClient } from '../../src/client/odoo-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { SandboxOptions } from '../../src/sandbox/sandbox-options.js';

/**
 * Client options a test may change; the URL is the sandbox's. Giving `apiKey` replaces the admin password (a client
 * takes exactly one of the two); giving `db` points the client at a database the sandbox does not have.
 */
export type SandboxClientOverrides = Partial<Omit<OdooClientOptions, 'url'>>;

/**
 * What {@link withSandbox} hands a test file. Every member is read lazily: the sandbox only exists between the
 * `beforeAll` and `afterAll` that `withSandbox` registers, so read them inside tests and hooks, not at collection
 * time (a read outside throws, naming the mistake, rather than handing out `undefined`).
 */
export interface SandboxFixture {
  /** The running sandbox: stats, faults, the API key, `resetStats()`. */
  readonly sandbox: Sandbox;
  /** The sandbox's base URL (with the port the system picked). */
  readonly url: string;
  /** The sandbox's database name. */
  readonly db: string;
  /**
   * The file's shared client, as the sandbox's admin with the password (plus the client options given to
   * `withSandbox`); it authenticates on its first call, like any `OdooClient`, and is closed after the file's tests.
   */
  readonly client: OdooClient;
  /**
   * A further client for the sandbox's admin with `overrides` (another mode, retry policy, a wrong password or an API
   * key): for tests that check what one client does on its own. Closed after the file's tests too, so a test need
   * not close it (closing it earlier is fine).
   */
  newClient(overrides?: SandboxClientOverrides): OdooClient;
}

/**
 * Registers a `beforeAll` that starts a sandbox on port 0 with `options` and an `afterAll` that closes every client
 * the fixture made and then the sandbox; returns the {@link SandboxFixture} to reach them. Call it at the top of a
 * test file, or inside a `describe` for a sandbox of that block only.
 *
 * Port 0 by default because test files run in parallel processes: a fixed port would collide. Tests that start
 * several sandboxes on purpose, or test `startSandbox` itself, call `startSandbox` directly.
 *
 * @param options - Sandbox options (`models: 'company'`, `seed`, `latencyMs`, ...); `port` defaults to 0.
 * @param clientOptions - Options of the shared {@link SandboxFixture.client}, e.g. a fast retry policy.
 */
export function withSandbox(options: SandboxOptions = {}, clientOptions: SandboxClientOverrides = {}): SandboxFixture {
  let sandbox: Sandbox | undefined;
  let shared: OdooClient | undefined;
  const clients: OdooClient[] = [];

  const running = (): Sandbox => {
    if (sandbox === undefined) {
      throw new Error(
        'withSandbox: the sandbox runs from its beforeAll to its afterAll; read it inside a test or hook',
      );
    }
    return sandbox;
  };
  const newClient = (overrides: SandboxClientOverrides = {}): OdooClient => {
    const started = running();
    const secret = overrides.apiKey === undefined ? { password: started.password } : {};
    const created = new OdooClient({
      url: started.url,
      db: started.db,
      username: started.login,
      ...secret,
      ...overrides,
    });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, ...options });
    shared = newClient(clientOptions);
  });
  afterAll(async () => {
    for (const each of clients.splice(0)) each.close();
    shared = undefined;
    const closing = sandbox;
    sandbox = undefined;
    await closing?.close();
  });

  return {
    get sandbox() {
      return running();
    },
    get url() {
      return running().url;
    },
    get db() {
      return running().db;
    },
    get client() {
      running();
      return shared!;
    },
    newClient,
  };
}
