/**
 * Types of chaos-core.mjs (plain JavaScript so that `node test/chaos/run.mjs` runs it without a build step).
 */
import type { OdooClient } from '../../src/client/odoo-client.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';

/** Repository root. */
export declare const ROOT: string;
/** The built CLI. */
export declare const CLI: string;
/** The campaign plan and its data files. */
export declare const CAMPAIGN_FIXTURE: string;
/** Name of the campaign plan. */
export declare const CAMPAIGN_PLAN: string;
/** Canary admin password of every target of the reliability suite. */
export declare const CANARY_PASSWORD: string;
/** Canary admin API key of every target of the reliability suite. */
export declare const CANARY_API_KEY: string;
/** Admin login of the sandbox. */
export declare const LOGIN: string;
/** Default number of runs in parallel. */
export declare const DEFAULT_PARALLEL: number;
/** Longest a single CLI invocation may take. */
export declare const DEFAULT_CLI_TIMEOUT_MS: number;
/** Resumes allowed after the kills. */
export declare const MAX_RESUMES: number;
/** Tags present in the campaign target before the first apply (the plan's last step deletes them). */
export declare const LEGACY_TAGS: readonly string[];

/** A transport the reliability scenarios run over. */
export type Transport = 'jsonrpc' | 'json2';
/** The transports every reliability scenario runs over. */
export declare const TRANSPORTS: readonly Transport[];
/** Sandbox options that make a sandbox the server of `transport` (Odoo 19 for JSON-2). */
export declare function transportSandbox(transport: Transport): SandboxOptions;
/** ORM calls a sandbox served outside JSON-2 (none is allowed in a JSON-2 run). */
export declare function jsonRpcCalls(sandbox: Sandbox): number;

/** What a run does, derived from its seed. */
export interface Scenario {
  readonly seed: number;
  readonly faults: string;
  readonly latency: { readonly fixed: number; readonly jitter: number };
  readonly credential: 'password' | 'api-key';
  readonly transport: Transport;
  readonly kills: readonly { readonly afterChunks: number; readonly delayMs: number }[];
  readonly resumeJson: boolean;
}
export declare function scenarioFor(seed: number): Scenario;

/** The environment giving the CLI the canary credentials of `url`. */
export declare function canaryEnv(
  url: string,
  credential?: 'password' | 'api-key',
  transport?: Transport,
): Record<string, string>;

/** One CLI invocation. */
export interface CliRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number | undefined;
}
export declare function runCli(
  args: readonly string[],
  options?: { readonly cwd?: string; readonly env?: Record<string, string>; readonly timeoutMs?: number },
): Promise<CliRun>;
export declare function runKilledApply(
  planFile: string,
  options: {
    readonly cwd: string;
    readonly env: Record<string, string>;
    readonly afterChunks: number;
    readonly delayMs: number;
    readonly timeoutMs?: number;
  },
): Promise<CliRun & { readonly killed: boolean; readonly chunks: number; readonly events: readonly string[] }>;

export declare function createCanaryTarget(file: string, sandboxOptions?: SandboxOptions): Promise<void>;
export declare function createCampaignTarget(file: string): Promise<void>;
export declare function startCanarySandbox(file: string, options?: SandboxOptions): Promise<Sandbox>;
export declare function canaryClient(sandbox: Sandbox): OdooClient;

/** Canonical, id-free dump of what the campaign plan touches. */
export type CanonicalDump = Record<string, unknown[]>;
export declare function canonicalDump(client: OdooClient): Promise<CanonicalDump>;
export declare function findDuplicates(dump: CanonicalDump): string[];
export declare function compareDumps(expected: CanonicalDump, actual: CanonicalDump): string[];
export declare function readTree(dir: string): Promise<[string, Buffer][]>;
export declare function findSecrets(
  texts: readonly (readonly [string, string])[],
  dirs?: readonly string[],
  options?: { readonly skip?: (path: string) => boolean; readonly secrets?: readonly string[] },
): Promise<string[]>;
export declare function isSandboxData(path: string): boolean;
/** A campaign: its plan (a fixture directory with plan.yaml), its target, and how its final state is checked. */
export interface Campaign {
  readonly name: string;
  readonly fixture: string;
  readonly sandbox: SandboxOptions;
  readonly createTarget: (file: string) => Promise<void>;
  readonly dump: (client: OdooClient) => Promise<CanonicalDump>;
  readonly duplicates: (dump: CanonicalDump) => string[];
}
export declare const PARTNERS_CAMPAIGN: Campaign;
export declare function campaignProject(prefix?: string, fixture?: string): Promise<{ dir: string; project: string }>;
export declare function cleanDump(campaign?: Campaign): Promise<CanonicalDump>;

/** The result of one chaos run. */
export interface ChaosResult {
  readonly seed: number;
  readonly scenario: Scenario;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly log: readonly string[];
  readonly kills: number;
  readonly reconciled: number;
  readonly takeovers: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly dir: string;
}
export declare function chaosRun(
  seed: number,
  options?: {
    readonly expected?: CanonicalDump;
    readonly keep?: boolean;
    readonly verifyDiff?: boolean;
    readonly campaign?: Campaign;
  },
): Promise<ChaosResult>;
export declare function describeFailure(result: ChaosResult): string;

/** The result of a campaign. */
export interface CampaignResult {
  readonly results: readonly ChaosResult[];
  readonly failed: readonly ChaosResult[];
  readonly kills: number;
  readonly reconciled: number;
  readonly takeovers: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly expected: CanonicalDump;
}
export declare function runCampaign(options: {
  readonly runs: number;
  readonly firstSeed?: number;
  readonly parallel?: number;
  readonly onResult?: (result: ChaosResult) => void;
  readonly verifyDiff?: boolean;
  readonly keep?: boolean;
  readonly campaign?: Campaign;
}): Promise<CampaignResult>;
