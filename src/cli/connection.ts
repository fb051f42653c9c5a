/**
 * Where the CLI connects: the one place that turns flags, environment and `zenoo.config.yaml` into a target, for
 * every command that talks to Odoo (`plan validate --remote`, `plan diff`, `plan apply`, ...).
 *
 * Precedence, per setting (url, db, user, secret, transport): **flags > environment > profile > default**.
 *
 * - flags: `--url --db --user --password --api-key --transport`;
 * - environment: `ZENOO_URL ZENOO_DB ZENOO_USER ZENOO_PASSWORD ZENOO_API_KEY ZENOO_TRANSPORT`;
 * - profile: `profiles.NAME` of `zenoo.config.yaml` in the working directory (or the file named by `ZENOO_CONFIG`),
 *   NAME from `--profile`, else `ZENOO_PROFILE`, else the file's `default_profile`;
 * - `--sandbox [FILE]` instead starts an in-process sandbox keeping its data in FILE
 *   (default {@link DEFAULT_SANDBOX_FILE}); it cannot be combined with a remote target.
 *
 * The transport is `auto` unless given: JSON-2 on Odoo 19 and later with an API key, `/jsonrpc` otherwise (see
 * {@link CLI_TRANSPORTS}).
 *
 * With no target at all, a {@link ConfigurationError} says how to give one. Secrets are never printed: use
 * {@link describeConnection} for display.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import type { OdooClientMode } from '../client/client-options.js';
import { normalizeBaseUrl } from '../client/client-options.js';
import { OdooClient } from '../client/odoo-client.js';
import { API_KEY_HOWTO } from '../client/transports/json2-transport.js';
import { ConfigurationError } from '../errors.js';

/** Default file of `--sandbox` without a value. */
export const DEFAULT_SANDBOX_FILE = '.zenoo/sandbox.sqlite';

/** Default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'zenoo.config.yaml';

/** Environment variable names, by setting. */
export const CONNECTION_ENV = {
  url: 'ZENOO_URL',
  db: 'ZENOO_DB',
  user: 'ZENOO_USER',
  password: 'ZENOO_PASSWORD',
  apiKey: 'ZENOO_API_KEY',
  transport: 'ZENOO_TRANSPORT',
  profile: 'ZENOO_PROFILE',
  config: 'ZENOO_CONFIG',
} as const;

/**
 * The transports the CLI offers: `auto` (the default: asks the version, then JSON-2 on Odoo 19 and later with an API
 * key, `/jsonrpc` otherwise), `json2` (Odoo 19 and later, API key only) and `jsonrpc`.
 */
export const CLI_TRANSPORTS = ['auto', 'json2', 'jsonrpc'] as const;

/** A transport of {@link CLI_TRANSPORTS}. */
export type CliTransport = (typeof CLI_TRANSPORTS)[number] & OdooClientMode;

/** The transport when none is given. */
export const DEFAULT_CLI_TRANSPORT: CliTransport = 'auto';

/** The connection flags as commander parses them. */
export interface ConnectionFlags {
  readonly url?: string | undefined;
  readonly db?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly profile?: string | undefined;
  /** `--transport`. */
  readonly transport?: string | undefined;
  /** `true` for a bare `--sandbox`, the file for `--sandbox FILE`. */
  readonly sandbox?: string | boolean | undefined;
}

/** Where a setting came from. */
export type SettingSource = 'flag' | 'env' | 'profile';

/** A resolved remote target. */
export interface RemoteConnection {
  readonly kind: 'remote';
  readonly url: string;
  readonly db: string;
  readonly user: string;
  /** Exactly one of `password` and `apiKey` is set. */
  readonly password: string | undefined;
  readonly apiKey: string | undefined;
  /** The profile used, if any. */
  readonly profile: string | undefined;
  /** How to talk to the server. */
  readonly transport: CliTransport;
  /** Where each setting came from (for messages; never the values of secrets); `default` for a transport not given. */
  readonly sources: Readonly<Record<'url' | 'db' | 'user' | 'secret', SettingSource>> & {
    readonly transport: SettingSource | 'default';
  };
}

/** An in-process sandbox target. */
export interface SandboxConnection {
  readonly kind: 'sandbox';
  /** Absolute path of the SQLite file. */
  readonly file: string;
  /** How to talk to the sandbox (`json2` logs in with its API key). */
  readonly transport: CliTransport;
}

/** A resolved target. */
export type ResolvedConnection = RemoteConnection | SandboxConnection;

/** Options of {@link resolveConnection}. */
export interface ResolveConnectionOptions {
  /** Environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (config file lookup, a sandbox file given with `--sandbox FILE`). @default process.cwd() */
  readonly cwd?: string;
  /**
   * The project's state directory (see `projectStateDir`): the default sandbox keeps its data there, beside the
   * journals of the same project. @default `.zenoo` in the working directory
   */
  readonly stateDir?: string;
}

/** One profile of `zenoo.config.yaml`. */
interface Profile {
  readonly url?: string;
  readonly db?: string;
  readonly user?: string;
  readonly password?: string;
  readonly api_key?: string;
  readonly transport?: string;
}

const PROFILE_KEYS = ['url', 'db', 'user', 'password', 'api_key', 'transport'];

/**
 * Adds the connection flags to `command` (`--url --db --user --password --api-key --profile --transport
 * --sandbox [FILE]`).
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', `Odoo base URL (env ${CONNECTION_ENV.url})`)
    .option('--db <name>', `database (env ${CONNECTION_ENV.db})`)
    .option('--user <login>', `login (env ${CONNECTION_ENV.user})`)
    .option(
      '--password <password>',
      `password (env ${CONNECTION_ENV.password}; prefer the environment: flags show in ps)`,
    )
    .option('--api-key <key>', `API key instead of a password (env ${CONNECTION_ENV.apiKey})`)
    .option('--profile <name>', `profile of ${DEFAULT_CONFIG_FILE} (env ${CONNECTION_ENV.profile})`)
    .addOption(
      new Option(
        '--transport <transport>',
        `how to talk to Odoo: auto (JSON-2 on Odoo 19+ with an API key, else /jsonrpc), json2 (Odoo 19+, API key), ` +
          `jsonrpc (env ${CONNECTION_ENV.transport}; default ${DEFAULT_CLI_TRANSPORT})`,
      ).choices(CLI_TRANSPORTS),
    )
    .addOption(
      new Option(
        '--sandbox [file]',
        `use an in-process sandbox keeping its data in FILE (default ${DEFAULT_SANDBOX_FILE})`,
      ),
    );
}

async function readProfiles(
  file: string,
): Promise<{ profiles: Record<string, Profile>; defaultProfile: string | undefined }> {
  const text = await readFile(file, 'utf8');
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigurationError(`${file}: not valid YAML: ${document.errors[0]?.message ?? ''}`);
  }
  const value = (document.toJS() ?? {}) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(`${file}: expected a map with \`profiles:\``);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'profiles' && key !== 'default_profile') {
      throw new ConfigurationError(`${file}: unknown key "${key}" (expected profiles, default_profile)`);
    }
  }
  const profiles = (raw.profiles ?? {}) as Record<string, unknown>;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new ConfigurationError(`${file}: \`profiles\` must be a map of profile name to settings`);
  }
  for (const [name, profile] of Object.entries(profiles)) {
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
      throw new ConfigurationError(`${file}: profile "${name}" must be a map (${PROFILE_KEYS.join(', ')})`);
    }
    for (const [key, setting] of Object.entries(profile)) {
      if (!PROFILE_KEYS.includes(key)) {
        throw new ConfigurationError(
          `${file}: profile "${name}" has unknown key "${key}" (expected ${PROFILE_KEYS.join(', ')})`,
        );
      }
      if (typeof setting !== 'string') throw new ConfigurationError(`${file}: profiles.${name}.${key} must be text`);
    }
  }
  const defaultProfile = raw.default_profile;
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') {
    throw new ConfigurationError(`${file}: default_profile must be a profile name`);
  }
  return { profiles: profiles as Record<string, Profile>, defaultProfile };
}

const HOW_TO =
  `give --url, --db, --user and --password (or --api-key); or set ${CONNECTION_ENV.url}, ${CONNECTION_ENV.db}, ` +
  `${CONNECTION_ENV.user} and ${CONNECTION_ENV.password} (or ${CONNECTION_ENV.apiKey}); or --profile NAME from ` +
  `${DEFAULT_CONFIG_FILE}; or --sandbox to use a local sandbox`;

/**
 * Resolves the target from flags, environment and config file (see the module comment for the precedence).
 *
 * @throws {@link ConfigurationError} when there is no target, a part of it is missing, or the config file is wrong.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  options: ResolveConnectionOptions = {},
): Promise<ResolvedConnection> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const remoteFlags = [flags.url, flags.db, flags.user, flags.password, flags.apiKey, flags.profile].some(
    (flag) => flag !== undefined,
  );
  if (flags.sandbox !== undefined && flags.sandbox !== false) {
    const [transport] = pickTransport(flags.transport, env[CONNECTION_ENV.transport], undefined, 'ZENOO_TRANSPORT');
    if (remoteFlags) {
      throw new ConfigurationError(
        '--sandbox cannot be combined with --url, --db, --user, --password, --api-key or --profile',
      );
    }
    return {
      kind: 'sandbox',
      file:
        typeof flags.sandbox === 'string'
          ? resolve(cwd, flags.sandbox)
          : options.stateDir !== undefined
            ? join(options.stateDir, basename(DEFAULT_SANDBOX_FILE))
            : resolve(cwd, DEFAULT_SANDBOX_FILE),
      transport,
    };
  }

  const configFile = resolve(cwd, env[CONNECTION_ENV.config] ?? DEFAULT_CONFIG_FILE);
  const config = existsSync(configFile) ? await readProfiles(configFile) : undefined;
  const profileName = flags.profile ?? env[CONNECTION_ENV.profile] ?? config?.defaultProfile;
  let profile: Profile = {};
  if (profileName !== undefined) {
    if (!config)
      throw new ConfigurationError(`profile "${profileName}" was asked for, but ${configFile} does not exist`);
    const found = config.profiles[profileName];
    if (!found) {
      const names = Object.keys(config.profiles);
      throw new ConfigurationError(
        `${configFile} has no profile "${profileName}"${names.length > 0 ? ` (profiles: ${names.join(', ')})` : ''}`,
      );
    }
    profile = found;
  }

  const pick = (
    flag: string | undefined,
    envName: string,
    fromProfile: string | undefined,
  ): [string | undefined, SettingSource] => {
    if (flag !== undefined && flag !== '') return [flag, 'flag'];
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, 'env'];
    return [fromProfile, 'profile'];
  };
  const [url, urlSource] = pick(flags.url, CONNECTION_ENV.url, profile.url);
  const [db, dbSource] = pick(flags.db, CONNECTION_ENV.db, profile.db);
  const [user, userSource] = pick(flags.user, CONNECTION_ENV.user, profile.user);
  // The secret is one setting: the highest level giving a password or an API key wins as a whole.
  const levels: [string | undefined, string | undefined, SettingSource, string][] = [
    [flags.password, flags.apiKey, 'flag', '--password and --api-key'],
    [
      env[CONNECTION_ENV.password] || undefined,
      env[CONNECTION_ENV.apiKey] || undefined,
      'env',
      `${CONNECTION_ENV.password} and ${CONNECTION_ENV.apiKey}`,
    ],
    [profile.password, profile.api_key, 'profile', `password and api_key in profile "${profileName ?? ''}"`],
  ];
  const level = levels.find(([password, apiKey]) => password !== undefined || apiKey !== undefined);
  if (level && level[0] !== undefined && level[1] !== undefined) {
    throw new ConfigurationError(`both ${level[3]} are given; give only one`);
  }

  if (url === undefined && db === undefined && user === undefined && !level) {
    throw new ConfigurationError(`no Odoo target: ${HOW_TO}`);
  }
  const missing = [
    url === undefined ? `the URL (--url or ${CONNECTION_ENV.url})` : undefined,
    db === undefined ? `the database (--db or ${CONNECTION_ENV.db})` : undefined,
    user === undefined ? `the login (--user or ${CONNECTION_ENV.user})` : undefined,
    level
      ? undefined
      : `the password (--password or ${CONNECTION_ENV.password}) or API key (--api-key or ${CONNECTION_ENV.apiKey})`,
  ].filter((part): part is string => part !== undefined);
  if (missing.length > 0) throw new ConfigurationError(`incomplete Odoo target: missing ${missing.join(', ')}`);
  checkUrl(
    url as string,
    urlSource === 'flag'
      ? '--url'
      : urlSource === 'env'
        ? CONNECTION_ENV.url
        : `profiles.${profileName ?? ''}.url of ${configFile}`,
  );
  const [transport, transportSource] = pickTransport(
    flags.transport,
    env[CONNECTION_ENV.transport],
    profile.transport,
    `transport in profile "${profileName ?? ''}"`,
  );
  if (transport === 'json2' && level?.[1] === undefined) {
    throw new ConfigurationError(
      `transport json2 (Odoo 19 and later) authenticates with an API key, not a password. ${API_KEY_HOWTO}`,
    );
  }

  return {
    kind: 'remote',
    url: url as string,
    db: db as string,
    user: user as string,
    password: level?.[0],
    apiKey: level?.[1],
    profile: profileName,
    transport,
    sources: {
      url: urlSource,
      db: dbSource,
      user: userSource,
      secret: level?.[2] ?? 'flag',
      transport: transportSource,
    },
  };
}

/** The transport by precedence (flag, environment, profile, default), checked against {@link CLI_TRANSPORTS}. */
function pickTransport(
  flag: string | undefined,
  fromEnv: string | undefined,
  fromProfile: string | undefined,
  profileLabel: string,
): [CliTransport, SettingSource | 'default'] {
  const candidates: [string | undefined, SettingSource, string][] = [
    [flag, 'flag', '--transport'],
    [fromEnv, 'env', CONNECTION_ENV.transport],
    [fromProfile, 'profile', profileLabel],
  ];
  for (const [value, source, label] of candidates) {
    if (value === undefined || value === '') continue;
    if (!(CLI_TRANSPORTS as readonly string[]).includes(value)) {
      throw new ConfigurationError(`${label} must be one of ${CLI_TRANSPORTS.join(', ')}, got "${value}"`);
    }
    return [value as CliTransport, source];
  }
  return [DEFAULT_CLI_TRANSPORT, 'default'];
}

/**
 * Refuses a URL the client would refuse, here, naming where it came from: the client's own check is a `TypeError` for
 * programmers ("Expected `url` …"), not a message for the person who typed the flag.
 */
function checkUrl(url: string, from: string): void {
  try {
    normalizeBaseUrl(url);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Expected `url`/, 'expected the URL');
    throw new ConfigurationError(`${from} "${url}" is not a usable Odoo URL: ${reason}`);
  }
}

/** A human description of a target, without any secret: `http://host:8069 db odoo as admin (password from env)`. */
export function describeConnection(connection: ResolvedConnection): string {
  if (connection.kind === 'sandbox') return `sandbox (data in ${connection.file})`;
  const secret = connection.apiKey !== undefined ? 'API key' : 'password';
  const profile = connection.profile ? `, profile ${connection.profile}` : '';
  return `${connection.url} db ${connection.db} as ${connection.user} (${secret} from ${connection.sources.secret}${profile})`;
}

/** An open connection: a client, and what to close when done. */
export interface OpenConnection {
  /** The client, not yet authenticated (the first call authenticates). */
  readonly client: OdooClient;
  /** URL and database actually used (for journals and messages). */
  readonly url: string;
  readonly db: string;
  /** Closes the client and, for a sandbox, stops it. */
  close(): Promise<void>;
}

/** Options of {@link openConnection}. */
export interface OpenConnectionOptions {
  /** Cancels starting a sandbox. */
  readonly signal?: AbortSignal;
  /** Receives the client's notices (e.g. a password on Odoo 19, where JSON-2 needs an API key). */
  readonly onNotice?: (message: string) => void;
}

/** Opens a client on a resolved target, starting the sandbox first for a sandbox target. */
export async function openConnection(
  connection: ResolvedConnection,
  options: OpenConnectionOptions = {},
): Promise<OpenConnection> {
  if (connection.kind === 'sandbox') {
    await mkdir(dirname(connection.file), { recursive: true });
    // Loaded only when used: the sandbox (an ORM over SQLite) costs every other command's start-up nothing.
    const { startSandbox } = await import('../sandbox/start-sandbox.js');
    const sandbox = await startSandbox({
      file: connection.file,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const client = new OdooClient({
      url: sandbox.url,
      db: sandbox.db,
      username: sandbox.login,
      ...(connection.transport === 'json2' ? { apiKey: sandbox.apiKey } : { password: sandbox.password }),
      mode: connection.transport,
    });
    listenToNotices(client, options);
    return {
      client,
      url: sandbox.url,
      db: sandbox.db,
      async close() {
        client.close();
        await sandbox.close();
      },
    };
  }
  const client = new OdooClient({
    url: connection.url,
    db: connection.db,
    username: connection.user,
    ...(connection.apiKey !== undefined ? { apiKey: connection.apiKey } : { password: connection.password as string }),
    mode: connection.transport,
  });
  listenToNotices(client, options);
  return {
    client,
    url: connection.url,
    db: connection.db,
    async close() {
      client.close();
    },
  };
}

function listenToNotices(client: OdooClient, options: OpenConnectionOptions): void {
  const onNotice = options.onNotice;
  if (onNotice) client.on('notice', (event) => onNotice(event.message));
}
