/**
 * The terminal progress display: a real ETA at 0 rows/s (never cli-progress's `NFs`), bars whose labels line up, and
 * a Ctrl-C that leaves a clean terminal: the notice is printed above the bars (not under them, where the redraw
 * would cover it and the final clear miss lines) and the step reads "interrupted", not failed.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { interruptOnSignals } from '../../../src/cli/commands/plan-target.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import { MAX_LABEL_WIDTH, barLabel, createReporter, formatEta } from '../../../src/cli/output/progress.js';
import type { ApplyEvent, StepResult } from '../../../src/plan/apply/apply-events.js';

function terminal() {
  const chunks: string[] = [];
  return { isTTY: true, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

/** The visible text of what was drawn: escape sequences removed. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

const LONG = 'a-step-id-much-longer-than-twenty';
const start: ApplyEvent = {
  type: 'run-start',
  plan: 'p',
  url: 'http://127.0.0.1:1',
  db: 'd',
  resumed: false,
  steps: [
    { step: 'tags', model: 'res.partner.category', action: 'upsert' },
    { step: 'companies', model: 'res.partner', action: 'upsert' },
    { step: LONG, model: 'res.partner', action: 'upsert' },
  ],
};
const stepStart = (step: string, total: number): ApplyEvent => ({
  type: 'step-start',
  step,
  model: 'res.partner',
  action: 'upsert',
  total,
  unchanged: 0,
});

describe('ETA', () => {
  it('is a dash while nothing moves, and seconds or minutes otherwise', () => {
    expect(formatEta(10, 0)).toBe('–');
    expect(formatEta(10, Number.NaN)).toBe('–');
    expect(formatEta(10, Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatEta(0, 0)).toBe('0 s');
    expect(formatEta(100, 10)).toBe('10 s');
    expect(formatEta(1000, 10)).toBe('1 min 40 s');
  });

  it('shows no Infinity on the bars at 0 rows/s', () => {
    const out = terminal();
    let clock = 1_000;
    const reporter = createReporter('tty', out, new Chalk({ level: 0 }), undefined, () => clock);
    reporter.onEvent(start);
    reporter.onEvent(stepStart('companies', 100));
    clock += 5_000;
    // A chunk of nothing (all rejected, say): still 0 rows/s after five seconds.
    reporter.onEvent({ type: 'chunk-done', step: 'companies', chunk: 0, action: 'create', records: 0, rejected: 2 });
    reporter.stop();
    const text = plain(out.text());
    expect(text).toContain('0/100 records | 0 records/s | ETA –');
    expect(text).not.toMatch(/NF|INF|NaN|Infinity/);
  });
});

describe('labels', () => {
  it('line up the bars, cutting a long step id', () => {
    expect(barLabel('plan', 9)).toBe('plan     ');
    expect(barLabel(LONG, MAX_LABEL_WIDTH)).toBe(`${LONG.slice(0, MAX_LABEL_WIDTH - 1)}…`);
    const out = terminal();
    const reporter = createReporter('tty', out, new Chalk({ level: 0 }), undefined, () => 0);
    reporter.onEvent(start);
    reporter.onEvent(stepStart('tags', 2));
    reporter.onEvent(stepStart(LONG, 2));
    reporter.stop();
    const lines = plain(out.text())
      .split(/\r?\n/)
      .filter((line) => line.includes(' ['));
    const columns = new Set(lines.map((line) => line.indexOf(' [')));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.includes(`${LONG.slice(0, MAX_LABEL_WIDTH - 1)}… [`))).toBe(true);
    expect([...columns]).toEqual([1 + MAX_LABEL_WIDTH]);
  });
});

describe('Ctrl-C', () => {
  it('prints its notice above the bars, clears them at the end, and the step reads interrupted', () => {
    const out = terminal();
    const stderr: string[] = [];
    const signals = new EventEmitter();
    const io: PlanCommandIo = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => stderr.push(text), isTTY: true },
      stdin: Object.assign(new PassThrough(), { isTTY: true }),
      signals,
      env: {},
    };
    const interruption = interruptOnSignals(io, 'the next apply');
    const reporter = createReporter('tty', out, new Chalk({ level: 0 }), undefined, () => 0);
    interruption.attach(reporter);
    reporter.onEvent(start);
    reporter.onEvent(stepStart('tags', 10));
    signals.emit('SIGINT');
    expect(interruption.signal.aborted).toBe(true);
    // Not written under the bars, behind their back.
    expect(stderr).toEqual([]);
    const result: StepResult = {
      step: 'tags',
      model: 'res.partner.category',
      action: 'upsert',
      status: 'interrupted',
      durationMs: 5,
      counts: { created: 2, updated: 0, deleted: 0, unchanged: 0, rejected: 0 },
    };
    reporter.onEvent({ type: 'step-done', result });
    reporter.stop();
    interruption.attach(undefined);
    interruption.dispose();
    const text = out.text();
    expect(plain(text)).toContain('Stopping: no new chunk is sent');
    expect(plain(text)).toContain('‖ tags (res.partner.category, upsert) interrupted: 2 created');
    // The last thing drawn clears the bars (cursor back up, erase below) and shows the cursor again.
    expect(text.lastIndexOf('\u001b[?25h')).toBeGreaterThan(text.lastIndexOf('Stopping'));
    expect(text.endsWith('\u001b[0J')).toBe(true);
  });
});
