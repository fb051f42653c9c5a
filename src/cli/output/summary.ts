/**
 * The final summary of an apply: one line per step with created, updated, deleted, unchanged and rejected counts,
 * then the duration and the rate.
 *
 * @packageDocumentation
 */
import type { ApplyResult } from '../../plan/apply/apply-events.js';

/** Formats a duration in ms as `1.2 s`, `3 min 4 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Renders the summary table of a result. Ends with a newline. */
export function renderSummary(result: ApplyResult): string {
  // The called column only when the plan has a call step: other plans keep the table they always had.
  const calls = result.steps.some((step) => step.action === 'call');
  const header = [
    'step',
    'created',
    'updated',
    'deleted',
    ...(calls ? ['called'] : []),
    'unchanged',
    'rejected',
    'status',
  ];
  const rows = result.steps.map((step) => [
    step.step,
    String(step.counts.created),
    String(step.counts.updated),
    String(step.counts.deleted),
    ...(calls ? [String(step.counts.called ?? 0)] : []),
    String(step.counts.unchanged),
    String(step.counts.rejected),
    step.status,
  ]);
  const total = result.steps.reduce(
    (sum, step) => ({
      created: sum.created + step.counts.created,
      updated: sum.updated + step.counts.updated,
      deleted: sum.deleted + step.counts.deleted,
      called: sum.called + (step.counts.called ?? 0),
      unchanged: sum.unchanged + step.counts.unchanged,
      rejected: sum.rejected + step.counts.rejected,
    }),
    { created: 0, updated: 0, deleted: 0, called: 0, unchanged: 0, rejected: 0 },
  );
  rows.push([
    'total',
    String(total.created),
    String(total.updated),
    String(total.deleted),
    ...(calls ? [String(total.called)] : []),
    String(total.unchanged),
    String(total.rejected),
    result.status,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rate = `${Math.round(result.rate).toLocaleString('en-US')} records/s`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${formatDuration(result.durationMs)}, ${rate}\n`;
}
