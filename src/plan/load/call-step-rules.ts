/**
 * The rules of a `call` step (`action: call`), checked when the plan is loaded, and the compiled {@link StepCall}.
 *
 * A call step names a public method and selects its records by `where` (a domain), by `key` + `records`, or both (the
 * domain then guards the keyed records). It writes no `values`. A method whose name starts with `_` is private in
 * Odoo (the external API refuses it): the plan is refused at its place rather than at the first call.
 *
 * @packageDocumentation
 */
import { childPath } from '../model/plan-positions.js';
import type { StepCall } from '../model/plan-types.js';
import { interpolateEnvValue } from './inline-records.js';
import type { InlineProblemSink } from './inline-records.js';

/** The keys only a call step takes. */
export const CALL_ONLY_KEYS: readonly string[] = ['method', 'args', 'kwargs'];

/** Reports the problems of a call step's own keys, at their path. */
export function checkCallStepRules(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  report: InlineProblemSink,
): void {
  const has = (name: string): boolean => raw[name] !== undefined;
  if (raw.action !== 'call') {
    for (const name of CALL_ONLY_KEYS) {
      if (has(name))
        report(childPath(path, name), `${name} is used only by a call step`, `remove ${name}, or use action: call`);
    }
    return;
  }
  const method = raw.method;
  if (method === undefined) {
    report(path, 'a call step needs a method', 'add method: NAME, e.g. method: action_confirm');
  } else if (typeof method === 'string' && method.startsWith('_')) {
    report(
      childPath(path, 'method'),
      `method "${method}" is private (its name starts with _): Odoo refuses to call it from outside`,
      'call a public method (e.g. action_confirm, action_post), or write a server action that calls it',
    );
  }
  if (has('values'))
    report(
      childPath(path, 'values'),
      'a call step takes no values',
      'remove values: the method decides what it writes (use an update step to write fields)',
    );
  if (!has('where') && !has('records')) {
    report(
      path,
      'a call step needs where (a domain) or records with a key',
      "e.g. where: [[state, '=', draft]]: the records the method is called on",
    );
  }
  if (has('records') && !has('key'))
    report(path, 'a call step with records needs a key', 'add key: [FIELD, ...]: the fields that find each record');
  if (has('key') && !has('records'))
    report(
      childPath(path, 'key'),
      'key is used only with records',
      'remove key (the domain in where selects the records), or give records with the key values',
    );
}

/**
 * The call of a call step: its method and its arguments with `${env.NAME}` filled in (problems go to `report`), and
 * the variables used (they join the step's env, and so the plan's fingerprint).
 */
export function compileStepCall(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  report: InlineProblemSink,
): { readonly call: StepCall; readonly env: Readonly<Record<string, string>> } {
  const args = interpolateEnvValue(Array.isArray(raw.args) ? raw.args : [], childPath(path, 'args'), env, report);
  const given = raw.kwargs;
  const kwargs = interpolateEnvValue(
    given !== null && typeof given === 'object' && !Array.isArray(given) ? given : {},
    childPath(path, 'kwargs'),
    env,
    report,
  );
  return {
    call: {
      method: typeof raw.method === 'string' ? raw.method : '',
      args: args.value as unknown[],
      kwargs: kwargs.value as Record<string, unknown>,
    },
    env: { ...args.env, ...kwargs.env },
  };
}
