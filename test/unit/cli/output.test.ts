import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { chalkFor, colorLevel, diffStyle } from '../../../src/cli/output/colors.js';
import { createReporter, reporterMode } from '../../../src/cli/output/progress.js';
import { formatDuration, renderSummary } from '../../../src/cli/output/summary.js';
import type { ApplyEvent, ApplyResult } from '../../../src/plan/apply/apply-events.js';

const result: ApplyResult = {
  status: 'succeeded',
  steps: [
    {
      step: 'tags',
      model: 'res.partner.category',
      action: 'upsert',
      status: 'done',
      durationMs: 12,
      counts: { created: 2, updated: 0, deleted: 0, unchanged: 1, rejected: 0 },
    },
    {
      step: 'companies',
      model: 'res.partner',
      action: 'upsert',
      status: 'done',
      durationMs: 1500,
      counts: { created: 1200, updated: 3, deleted: 0, unchanged: 0, rejected: 2 },
    },
  ],
  durationMs: 2500,
  rate: 482,
  resumed: false,
  journal: '.zenoo/journal/x.jsonl',
};

function buffer(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

const events: ApplyEvent[] = [
  {
    type: 'run-start',
    plan: 'crm-seed',
    url: 'http://127.0.0.1:1',
    db: 'zenoo',
    resumed: false,
    steps: [{ step: 'tags', model: 'res.partner.category', action: 'upsert' }],
  },
  { type: 'step-start', step: 'tags', model: 'res.partner.category', action: 'upsert', total: 2, unchanged: 1 },
  { type: 'chunk-done', step: 'tags', chunk: 0, action: 'create', records: 2, rejected: 0 },
  { type: 'step-done', result: result.steps[0]! },
  { type: 'run-done', result },
];

describe('colours', () => {
  it('honours NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(colorLevel({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '3' })).toBe(0);
    expect(colorLevel({ isTTY: false }, { FORCE_COLOR: '2' })).toBe(2);
    expect(colorLevel({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel({ isTTY: true }, {})).toBe(1);
    expect(colorLevel({ isTTY: false }, {})).toBe(0);
    expect(chalkFor({ isTTY: true }, { NO_COLOR: 'x' }).green('a')).toBe('a');
    expect(diffStyle(new Chalk({ level: 1 })).create('a')).toBe('\u001b[32ma\u001b[39m');
  });
});

describe('summary', () => {
  it('lists per-step counts, totals, duration and rate (pinned)', () => {
    expect(formatDuration(800)).toBe('800 ms');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(renderSummary(result)).toMatchInlineSnapshot(`
      "step       created  updated  deleted  unchanged  rejected  status
      tags             2        0        0          1         0  done
      companies     1200        3        0          0         2  done
      total         1202        3        0          1         2  succeeded
      2.5 s, 482 records/s
      "
    `);
  });
});

describe('reporters', () => {
  it('chooses the mode', () => {
    expect(reporterMode(true, { isTTY: true })).toBe('json');
    expect(reporterMode(false, { isTTY: true })).toBe('tty');
    expect(reporterMode(false, {})).toBe('plain');
  });

  it('streams NDJSON, one parseable event per line', () => {
    const out = buffer();
    const reporter = createReporter('json', out, new Chalk({ level: 0 }));
    events.forEach(reporter.onEvent);
    reporter.stop();
    const lines = out
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; ts: string });
    expect(lines.map((line) => line.type)).toEqual(['run-start', 'step-start', 'chunk-done', 'step-done', 'run-done']);
    expect(lines[0]!.ts).toMatch(/^\d{4}-/);
  });

  it('writes one plain line per step when not on a terminal', () => {
    const out = buffer();
    const reporter = createReporter('plain', out, new Chalk({ level: 0 }));
    events.forEach(reporter.onEvent);
    expect(out.text()).toBe(
      'Applying plan crm-seed on http://127.0.0.1:1 (database zenoo): 1 step\n' +
        '✓ tags (res.partner.category, upsert): 2 created, 0 updated, 0 deleted, 1 unchanged, 0 rejected in 12 ms\n',
    );
  });

  it('names the server version and the transport in the run header, plain and NDJSON', () => {
    const info = { odooVersion: '19.0', transport: 'json2' };
    const plain = buffer();
    createReporter('plain', plain, new Chalk({ level: 0 }), info).onEvent(events[0]!);
    expect(plain.text()).toBe(
      'Applying plan crm-seed on http://127.0.0.1:1 (database zenoo, Odoo 19.0 over json2): 1 step\n',
    );
    const json = buffer();
    const reporter = createReporter('json', json, new Chalk({ level: 0 }), info);
    events.forEach(reporter.onEvent);
    const lines = json
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'run-start', odooVersion: '19.0', transport: 'json2' });
    expect(lines[1]).not.toHaveProperty('transport');
  });

  it('draws bars on a terminal and clears them on stop', () => {
    const out = buffer(true);
    const reporter = createReporter('tty', out, new Chalk({ level: 0 }));
    events.forEach(reporter.onEvent);
    reporter.stop();
    reporter.stop();
    expect(out.text()).toContain('✓ tags');
  });
});
