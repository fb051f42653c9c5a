/**
 * The corpus of invalid plans under test/fixtures/plans/invalid: each fixture must be refused with exactly the
 * problems pinned in expected.json (file:line:col, path, message and hint, as `formatPlanProblem` prints them).
 *
 * After a deliberate change of messages, regenerate with `ZENOO_UPDATE_FIXTURES=1 npx vitest run test/unit/plan`
 * and review the diff of expected.json.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PlanValidationError, formatPlanProblem } from '../../../../src/errors.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';

const dir = fileURLToPath(new URL('../../../fixtures/plans/invalid/', import.meta.url));
const expectedFile = `${dir}expected.json`;
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, string[]>;
const actual: Record<string, string[]> = {};

async function problemsOf(fixture: string): Promise<string[]> {
  try {
    await loadPlan(fixture, { cwd: dir, env: { ZENOO_TEST_TOKEN: 'secret-token' } });
  } catch (error) {
    if (error instanceof PlanValidationError) return error.problems.map(formatPlanProblem);
    throw error;
  }
  return [];
}

describe('invalid plans', () => {
  test('the corpus has at least 40 fixtures, each pinned', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    if (!process.env.ZENOO_UPDATE_FIXTURES) expect(Object.keys(expected).sort()).toEqual(fixtures);
  });

  test.each(fixtures)('%s', async (fixture) => {
    const problems = await problemsOf(fixture);
    expect(problems.length).toBeGreaterThan(0);
    actual[fixture] = problems;
    if (process.env.ZENOO_UPDATE_FIXTURES) {
      writeFileSync(expectedFile, `${JSON.stringify({ ...expected, ...actual }, null, 2)}\n`);
      return;
    }
    expect(problems).toEqual(expected[fixture]);
  });
});
