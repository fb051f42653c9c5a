/**
 * Where the CLI connects: the one place that turns flags, environment and `zenoo.config.yaml` into a target, for
 * every command that talks to Odoo (`plan validate --remote`, `plan diff`, `plan apply`, ...).
 *
 * Precedence, per setting (url, db, user, secret): **flags > environment > profile > nothing**.
 *
 * - flags: `--url --db --user --password --api-key`;
 * - environment: `ZENOO_URL ZENOO_DB ZENOO_USER ZENOO_PASSWORD ZENOO_API_KEY`;
 * - profile: `profiles.NAME` of `zenoo.config.yaml` in the working directory (or the file named by `ZENOO_CONFIG`),
 *   NAME from `--profile`, else `ZENOO_PROFILE`, else the file's `default_profile`;
 * - `--sandbox [FILE]` instead starts an in-process sandbox keeping its data in FILE
 *   (default {@link DEFAULT_SANDBOX_FILE}); it cannot be combined with a remote target.
 *
 * With no target at all, a {@link ConfigurationError} says how to give one. Secrets are never printed: use
 * {@link describeConnection} for display.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { normalizeBaseUrl } from '../client/client-options.js';
import { OdooClient } from '../client/odoo-client.js';
import { ConfigurationError } from '../errors.js';
import { startSandbox } from '../sandbox/start-sandbox.js';

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
  profile: 'ZENOO_PROFILE',
  config: 'ZENOO_CONFIG',
} as const;

/** The connection flags as commander parses them. */
export interface ConnectionFlags {
  readonly url?: string | undefined;
  readonly db?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly profile?: string | undefined;
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
  /** Where each setting came from (for messages; never the values of secrets). */
  readonly sources: Readonly<Record<'url' | 'db' | 'user' | 'secret', SettingSource>>;
}

/** An in-process sandbox target. */
export interface SandboxConnection {
  readonly kind: 'sandbox';
  /** Absolute path of the SQLite file. */
  readonly file: string;
}

/** A resolved target. */
export type ResolvedConnection = RemoteConnection | SandboxConnection;

/** Options of {@link resolveConnection}. */
export interface ResolveConnectionOptions {
  /** Environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (config file lookup, sandbox file). @default process.cwd() */
  readonly cwd?: string;
}

/** One profile of `zenoo.config.yaml`. */
interface Profile {
  readonly url?: string;
  readonly db?: string;
  readonly user?: string;
  readonly password?: string;
  readonly api_key?: string;
}

const PROFILE_KEYS = ['url', 'db', 'user', 'password', 'api_key'];

/** Adds the connection flags to `command` (`--url --db --user --password --api-key --profile --sandbox [FILE]`). */
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
    if (remoteFlags) {
      throw new ConfigurationError(
        '--sandbox cannot be combined with --url, --db, --user, --password, --api-key or --profile',
      );
    }
    return {
      kind: 'sandbox',
      file: resolve(cwd, typeof flags.sandbox === 'string' ? flags.sandbox : DEFAULT_SANDBOX_FILE),
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

  return {
    kind: 'remote',
    url: url as string,
    db: db as string,
    user: user as string,
    password: level?.[0],
    apiKey: level?.[1],
    profile: profileName,
    sources: { url: urlSource, db: dbSource, user: userSource, secret: level?.[2] ?? 'flag' },
  };
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

/** Opens a client on a resolved target, starting the sandbox first for a sandbox target. */
export async function openConnection(
  connection: ResolvedConnection,
  options: { readonly signal?: AbortSignal } = {},
): Promise<OpenConnection> {
  if (connection.kind === 'sandbox') {
    await mkdir(dirname(connection.file), { recursive: true });
    const sandbox = await startSandbox({
      file: connection.file,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const client = new OdooClient({
      url: sandbox.url,
      db: sandbox.db,
      username: sandbox.login,
      password: sandbox.password,
    });
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
  });
  return {
    client,
    url: connection.url,
    db: connection.db,
    async close() {
      client.close();
    },
  };
}
