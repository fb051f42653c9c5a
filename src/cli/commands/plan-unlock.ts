/**
 * `zenoo plan unlock FILE`: releases the plan's lock in the target (after a crash on another host, or a stuck
 * apply), after confirmation on a terminal or with `--yes`. Releasing the lock of an apply that is still running lets
 * a second apply run beside it: check the holder first.
 *
 * @packageDocumentation
 */
import { projectStateDir } from '../project-state-dir.js';
import type { Command } from 'commander';
import { ConfigurationError } from '../../errors.js';
import { describeHolder, forceReleaseLock, lockKey, readLock } from '../../plan/lock/lock.js';
import type { LockClient } from '../../plan/lock/lock.js';
import { readDiffFile } from '../../plan/render/render-json.js';
import { addConnectionOptions } from '../connection.js';
import type { ConnectionFlags } from '../connection.js';
import { canPrompt, confirm, loadPlanFile, processIo, reportError, withTarget } from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { planCommand } from './plan.js';

/** Flags of `plan unlock`. */
export interface UnlockFlags extends ConnectionFlags {
  readonly yes?: boolean;
}

/** Releases the lock; resolves to the exit code. */
export async function runUnlock(file: string, flags: UnlockFlags, io: PlanCommandIo): Promise<number> {
  const name = /\.json$/i.test(file) ? (await readDiffFile(file)).plan.name : (await loadPlanFile(file)).name;
  return withTarget({ ...flags, stateDir: projectStateDir(file) }, io, (open, target) =>
    releaseLockAfterConfirmation(open.client, name, flags, io, {
      noLock: `plan ${name} is not locked on ${target.url} (database ${target.db})`,
      holderKind: 'apply',
    }),
  );
}

/**
 * Releases the target lock `name` after confirmation (or with `--yes`), for `plan unlock` and `migrate unlock`;
 * resolves to the exit code. `noLock` says what "no lock" means to the user, `holderKind` what holds such a lock.
 */
export async function releaseLockAfterConfirmation(
  client: LockClient,
  name: string,
  flags: { readonly yes?: boolean },
  io: PlanCommandIo,
  wording: { readonly noLock: string; readonly holderKind: string },
): Promise<number> {
  const key = lockKey(name);
  const lock = await readLock(client, key);
  if (lock === undefined) {
    io.stdout.write(`No lock: ${wording.noLock}.\n`);
    return 0;
  }
  const holder = lock.holder ? describeHolder(lock.holder) : 'an unknown holder';
  if (flags.yes !== true) {
    if (!canPrompt(io)) {
      throw new ConfigurationError(
        `The lock ${key} is held by ${holder}. Refusing to release it without --yes: no terminal to confirm on.`,
      );
    }
    const question = `The lock ${key} is held by ${holder}. Release it (only if that ${wording.holderKind} is not running)?`;
    if (!(await confirm(question, io))) {
      io.stderr.write('Not released.\n');
      return 1;
    }
  }
  const released = await forceReleaseLock(client, name);
  io.stdout.write(
    released.removed ? `Released the lock ${key} held by ${holder}.\n` : `No lock: ${key} was released meanwhile.\n`,
  );
  return 0;
}

/** Registers `plan unlock` on `program` (under the `plan` command group). */
export function registerPlanUnlockCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const command = planCommand(program)
    .command('unlock')
    .description('Release the lock of a plan in the target (a stuck or crashed apply), after confirmation.')
    .argument('<file>', 'the plan file (or a saved diff)')
    .option('-y, --yes', 'release without asking (required when not on a terminal)');
  addConnectionOptions(command).addHelpText(
    'after',
    '\nExit codes: 0 released (or no lock), 1 error, declined, or refused without --yes.',
  );
  command.action(async (file: string, flags: UnlockFlags) => {
    try {
      process.exitCode = await runUnlock(file, flags, io);
    } catch (error) {
      process.exitCode = reportError(io, error);
    }
  });
}
