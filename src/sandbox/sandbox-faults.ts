/**
 * Fault configuration of the sandbox: what can go wrong, how often, and the SPEC string the CLI accepts.
 *
 * SPEC grammar (for `zenoo sandbox --faults SPEC` and `startSandbox({ faults: SPEC })`): comma-separated `key=value`
 * pairs, all optional, in any order:
 *
 * | key         | value                         | meaning                                                            |
 * |-------------|-------------------------------|--------------------------------------------------------------------|
 * | `transient` | rate in [0, 1]                | share of calls failing transiently, nothing committed              |
 * | `kinds`     | `503`, `reset`, `serialization` joined by `+` | which transient failures to draw from (default: all) |
 * | `drop`      | rate in [0, 1]                | share of calls that commit, then lose their response               |
 * | `slow`      | rate in [0, 1], optionally `:MS` | share of calls delayed by MS milliseconds (default 2000)        |
 * | `scope`     | `object` or `all`             | which calls faults apply to (default `object`: ORM calls only)     |
 * | `seed`      | integer                       | seed of the fault sequence (overrides the sandbox seed)            |
 *
 * Example: `transient=0.05,drop=0.02,slow=0.1:2000,seed=7`. The empty string and `none` mean no faults.
 *
 * @packageDocumentation
 */

/**
 * A transient failure: the call is not processed (or is rolled back), so retrying it is safe.
 *
 * - `http-503`: HTTP 503 Service Unavailable before processing (sometimes with `Retry-After: 1`), like a proxy in front
 *   of a busy or restarting server.
 * - `reset`: the TCP connection is reset before processing.
 * - `serialization`: JSON-RPC fault `psycopg2.errors.SerializationFailure` after a rollback, as Odoo answers when its
 *   own concurrency retries ran out.
 */
export type TransientFaultKind = 'http-503' | 'reset' | 'serialization';

/** Every fault the sandbox can inject, as counted in `stats.faults`. */
export type FaultKind = TransientFaultKind | 'drop' | 'slow';

/** Which calls faults apply to: `object` = ORM calls only (`object.execute_kw`, `call_kw`), `all` = every RPC call. */
export type FaultScope = 'object' | 'all';

/** All transient kinds, in the order they are drawn from. */
export const TRANSIENT_FAULT_KINDS: readonly TransientFaultKind[] = Object.freeze([
  'http-503',
  'reset',
  'serialization',
]);

/** Default delay of a `slow` call, in milliseconds. */
export const DEFAULT_SLOW_MS = 2000;

/** Default fault scope: authentication and version probes stay clean. */
export const DEFAULT_FAULT_SCOPE: FaultScope = 'object';

/** Fault injection settings. Rates are probabilities per call; `transient + drop + slow` must not exceed 1. */
export interface SandboxFaults {
  /**
   * Share of calls that fail transiently (nothing committed).
   * @default 0
   */
  readonly transient?: number;
  /**
   * Transient failures to draw from, uniformly.
   * @default ['http-503', 'reset', 'serialization']
   */
  readonly transientKinds?: readonly TransientFaultKind[];
  /**
   * Share of calls that commit, then lose their response: the server destroys the socket without answering (the
   * client cannot know whether the write happened).
   * @default 0
   */
  readonly drop?: number;
  /**
   * Share of calls answered late (after `slowMs`), e.g. to trigger client timeouts. The call still commits.
   * @default 0
   */
  readonly slow?: number;
  /**
   * Delay of a slow call, in milliseconds.
   * @default DEFAULT_SLOW_MS (2000)
   */
  readonly slowMs?: number;
  /**
   * Which calls faults apply to.
   * @default 'object'
   */
  readonly scope?: FaultScope;
  /**
   * Seed of the fault sequence; when absent the sandbox's `seed` option is used.
   * @default undefined
   */
  readonly seed?: number;
}

/** Fault settings with every default applied (frozen). */
export interface ResolvedSandboxFaults {
  readonly transient: number;
  readonly transientKinds: readonly TransientFaultKind[];
  readonly drop: number;
  readonly slow: number;
  readonly slowMs: number;
  readonly scope: FaultScope;
  readonly seed: number | undefined;
}

/** No faults at all (the default). */
export const NO_FAULTS: ResolvedSandboxFaults = Object.freeze({
  transient: 0,
  transientKinds: TRANSIENT_FAULT_KINDS,
  drop: 0,
  slow: 0,
  slowMs: DEFAULT_SLOW_MS,
  scope: DEFAULT_FAULT_SCOPE,
  seed: undefined,
});

const SPEC_EXAMPLE = 'transient=0.05,drop=0.02,slow=0.1:2000,seed=7';
const SPEC_KEYS = ['transient', 'kinds', 'drop', 'slow', 'scope', 'seed'] as const;
const KIND_ALIASES: Readonly<Record<string, TransientFaultKind>> = {
  '503': 'http-503',
  'http-503': 'http-503',
  reset: 'reset',
  serialization: 'serialization',
};

/**
 * Parses a fault SPEC string (see the module documentation) into fault settings.
 *
 * @throws TypeError naming the offending part and showing a valid example.
 */
export function parseFaultSpec(spec: string): SandboxFaults {
  if (typeof spec !== 'string') throw new TypeError(`Expected a fault spec string, got ${typeof spec}`);
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return {};
  const fail = (part: string, problem: string): never => {
    throw new TypeError(`Invalid fault spec "${spec}" at "${part}": ${problem}. Example: ${SPEC_EXAMPLE}`);
  };
  const result: {
    transient?: number;
    transientKinds?: TransientFaultKind[];
    drop?: number;
    slow?: number;
    slowMs?: number;
    scope?: FaultScope;
    seed?: number;
  } = {};
  const seen = new Set<string>();
  for (const rawPart of trimmed.split(',')) {
    const part = rawPart.trim();
    if (part === '') fail(rawPart, 'empty entry (remove the extra comma)');
    const eq = part.indexOf('=');
    if (eq <= 0) fail(part, 'expected key=value');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!(SPEC_KEYS as readonly string[]).includes(key)) {
      fail(part, `unknown key "${key}" (expected one of ${SPEC_KEYS.join(', ')})`);
    }
    if (seen.has(key)) fail(part, `"${key}" is given twice`);
    seen.add(key);
    const rate = (text: string): number => {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n) || n < 0 || n > 1) fail(part, `${key} must be a rate between 0 and 1`);
      return n;
    };
    switch (key) {
      case 'transient':
        result.transient = rate(value);
        break;
      case 'drop':
        result.drop = rate(value);
        break;
      case 'slow': {
        const [rateText = '', msText, extra] = value.split(':');
        if (extra !== undefined) fail(part, 'slow must be RATE or RATE:MS');
        result.slow = rate(rateText);
        if (msText !== undefined) {
          const ms = Number(msText);
          if (msText === '' || !Number.isInteger(ms) || ms < 0)
            fail(part, 'the slow delay must be a whole number of milliseconds');
          result.slowMs = ms;
        }
        break;
      }
      case 'kinds': {
        const kinds: TransientFaultKind[] = [];
        for (const name of value.split('+')) {
          const kind = KIND_ALIASES[name.trim()];
          if (kind === undefined)
            fail(part, `unknown transient kind "${name}" (expected 503, reset or serialization, joined by +)`);
          else if (!kinds.includes(kind)) kinds.push(kind);
        }
        result.transientKinds = kinds;
        break;
      }
      case 'scope':
        if (value !== 'object' && value !== 'all') fail(part, 'scope must be "object" or "all"');
        result.scope = value as FaultScope;
        break;
      case 'seed': {
        const n = Number(value);
        if (value === '' || !Number.isInteger(n)) fail(part, 'seed must be an integer');
        result.seed = n;
        break;
      }
    }
  }
  return result;
}

/**
 * Validates fault settings (an object or a SPEC string) and applies the defaults.
 *
 * @param where - how the setting is named in error messages, e.g. `faults` or `setFaults()`.
 * @throws TypeError on any invalid field.
 */
export function resolveFaults(faults: SandboxFaults | string | undefined, where = 'faults'): ResolvedSandboxFaults {
  if (faults === undefined) return NO_FAULTS;
  const input = typeof faults === 'string' ? parseFaultSpec(faults) : faults;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`Expected \`${where}\` to be an object or a fault spec string such as "${SPEC_EXAMPLE}"`);
  }
  const known = new Set(['transient', 'transientKinds', 'drop', 'slow', 'slowMs', 'scope', 'seed']);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      throw new TypeError(`Unknown field \`${where}.${key}\` (expected ${[...known].join(', ')})`);
    }
  }
  const rate = (name: 'transient' | 'drop' | 'slow'): number => {
    const value = input[name] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new TypeError(`Expected \`${where}.${name}\` to be a rate between 0 and 1, got ${String(value)}`);
    }
    return value;
  };
  const transient = rate('transient');
  const drop = rate('drop');
  const slow = rate('slow');
  // The three are drawn from one number per call, so they partition [0, 1): they cannot overlap.
  if (transient + drop + slow > 1 + 1e-9) {
    throw new TypeError(
      `\`${where}\`: transient + drop + slow must not exceed 1 (got ${transient} + ${drop} + ${slow}); each call gets at most one fault`,
    );
  }
  const slowMs = input.slowMs ?? DEFAULT_SLOW_MS;
  if (typeof slowMs !== 'number' || !Number.isInteger(slowMs) || slowMs < 0) {
    throw new TypeError(
      `Expected \`${where}.slowMs\` to be a whole number of milliseconds >= 0, got ${String(slowMs)}`,
    );
  }
  const kinds = input.transientKinds ?? TRANSIENT_FAULT_KINDS;
  if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => !TRANSIENT_FAULT_KINDS.includes(k))) {
    throw new TypeError(
      `Expected \`${where}.transientKinds\` to be a non-empty list of ${TRANSIENT_FAULT_KINDS.join(', ')}, got ${JSON.stringify(kinds)}`,
    );
  }
  const scope = input.scope ?? DEFAULT_FAULT_SCOPE;
  if (scope !== 'object' && scope !== 'all') {
    throw new TypeError(`Expected \`${where}.scope\` to be "object" or "all", got ${String(scope)}`);
  }
  const seed = input.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new TypeError(`Expected \`${where}.seed\` to be an integer, got ${String(seed)}`);
  }
  return Object.freeze({
    transient,
    transientKinds: Object.freeze([...new Set(kinds)]),
    drop,
    slow,
    slowMs,
    scope,
    seed,
  });
}

/** Formats resolved fault settings back into a SPEC string (`none` when no fault is enabled). */
export function formatFaultSpec(faults: ResolvedSandboxFaults): string {
  const parts: string[] = [];
  if (faults.transient > 0) {
    parts.push(`transient=${faults.transient}`);
    if (faults.transientKinds.length !== TRANSIENT_FAULT_KINDS.length) {
      parts.push(`kinds=${faults.transientKinds.map((k) => (k === 'http-503' ? '503' : k)).join('+')}`);
    }
  }
  if (faults.drop > 0) parts.push(`drop=${faults.drop}`);
  if (faults.slow > 0) parts.push(`slow=${faults.slow}:${faults.slowMs}`);
  if (parts.length > 0 && faults.scope !== DEFAULT_FAULT_SCOPE) parts.push(`scope=${faults.scope}`);
  if (parts.length > 0 && faults.seed !== undefined) parts.push(`seed=${faults.seed}`);
  return parts.length === 0 ? 'none' : parts.join(',');
}
