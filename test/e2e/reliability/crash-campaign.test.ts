/**
 * The quick crash campaign (the long one is `npm run chaos -- --runs N`): 20 seeded runs of `zenoo plan apply` against
 * a sandbox injecting transient errors, commit-then-drop and slow calls, each killed with SIGKILL at a seeded moment
 * (sometimes twice) and resumed until done. Every final state must equal a clean run's canonical dump, with no
 * duplicate, no leftover lock and no canary secret in any output or file. One run in four goes over JSON-2 against the
 * sandbox as Odoo 19, without a single JSON-RPC call, and must end in the same state. A failure prints the seed to
 * replay.
 *
 * A second, shorter campaign applies a plan of documents with lines (sale orders with lines from their own file,
 * invoices with nested lines) on the company sandbox, starting from orders that hold other lines: each document
 * must end with exactly its lines, none added twice, lost or left over.
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, describeFailure, runCampaign } from '../../chaos/chaos-core.mjs';
import { DOCUMENTS_CAMPAIGN } from '../../chaos/chaos-documents.mjs';

/** Runs in the quick campaign, and how many at once (2 cores: the applies are subprocesses). */
const RUNS = 20;
const PARALLEL = 4;

/** Runs of the documents-with-lines campaign (fewer: each run applies a company database). */
const DOCUMENT_RUNS = 8;

describe('crash campaign (SIGKILL + faults, resume until done)', () => {
  it(
    `${RUNS} seeded runs end equal to a clean run, without duplicates or leaked secrets`,
    { timeout: 180_000 },
    async () => {
      expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
      const campaign = await runCampaign({ runs: RUNS, firstSeed: 1, parallel: PARALLEL });

      expect(campaign.failed.map(describeFailure).join('\n\n'), 'runs differing from the clean run').toBe('');
      expect(campaign.results).toHaveLength(RUNS);
      expect(campaign.results.filter((run) => run.scenario.transport === 'json2')).toHaveLength(RUNS / 4);
      // The campaign proves something only if it really broke things: kills landed, stale locks were taken over,
      // in-doubt chunks were reconciled, and every kind of fault was injected.
      expect(campaign.kills).toBeGreaterThanOrEqual(RUNS);
      expect(campaign.takeovers).toBeGreaterThanOrEqual(RUNS / 2);
      expect(campaign.reconciled).toBeGreaterThan(0);
      for (const kind of ['http-503', 'reset', 'serialization', 'drop', 'slow']) {
        expect(campaign.faults[kind] ?? 0, `faults of kind ${kind}`).toBeGreaterThan(0);
      }
      // The clean dump itself is what the plan says: 64 companies + 72 contacts + seed partners, 4 + 9 tags.
      expect(campaign.expected['res.partner.category']).toHaveLength(13);
      expect(
        (campaign.expected['res.partner'] as unknown[][]).filter(
          (row) => typeof row[0] === 'string' && row[0].startsWith('CH'),
        ),
      ).toHaveLength(64);
      expect(campaign.expected['ir.config_parameter']).toEqual([]);
    },
  );

  it(
    `${DOCUMENT_RUNS} seeded runs of a documents-with-lines plan end with each document holding exactly its lines`,
    { timeout: 180_000 },
    async () => {
      expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
      const campaign = await runCampaign({
        runs: DOCUMENT_RUNS,
        firstSeed: 101,
        parallel: PARALLEL,
        campaign: DOCUMENTS_CAMPAIGN,
      });

      expect(campaign.failed.map(describeFailure).join('\n\n'), 'runs differing from the clean run').toBe('');
      expect(campaign.results).toHaveLength(DOCUMENT_RUNS);
      expect(campaign.kills).toBeGreaterThanOrEqual(DOCUMENT_RUNS);
      // The clean dump is what the plan says: 36 orders, the six seeded ones with the plan's lines, and 8 invoices.
      const orders = campaign.expected['sale.order'] as [string, string, [string, number][]][];
      expect(orders).toHaveLength(36);
      expect(orders.find((order) => order[0] === 'DO-03')![2]).toEqual([
        ['LP01', 4],
        ['LP02', 1],
        ['LP03', 2],
      ]);
      expect(campaign.expected['account.move']).toHaveLength(8);
      expect(campaign.expected['ir.config_parameter']).toEqual([]);
    },
  );
});
