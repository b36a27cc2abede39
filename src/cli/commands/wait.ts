/** `zkpseudo wait CONDITION [--connect …]`: block until the ensemble is in that state (exit 0) or time runs out (exit 2). */
import { resolveCondition, waitUntil } from '../../ensemble/observe/wait-condition.js';
import { UsageError } from '../../errors.js';
import { CONDITION_WORDS, describeCondition, parseCondition } from '../../zk/state/conditions.js';
import type { CommandContext } from '../context.js';
import { formatAnyStatus, printJson } from '../output.js';
import { commandTarget, type ConnectFlags, type ConnectOption } from '../target.js';
import { timeoutOption } from './servers.js';

/**
 * `wait --connect healthy`: --connect takes an optional value, so commander hands it the
 * condition. A condition word is never a connect string here: it goes back to the condition,
 * and --connect reads $ZK_CONNECT.
 */
export function untangleConnect(words: string[], connect: ConnectOption): { words: string[]; connect: ConnectOption } {
  if (typeof connect === 'string' && (CONDITION_WORDS as readonly string[]).includes(connect)) return { words: [connect, ...words], connect: true };
  return { words, connect };
}

export async function waitCommand(c: CommandContext, given: string[], opts: ConnectFlags & { timeout?: string }): Promise<number> {
  const { words, connect } = untangleConnect(given, opts.connect);
  if (!words.length) throw new UsageError('wait needs a condition.', 'Conditions: healthy, degraded, serving, leader, new-leader, down ID (like `zkpseudo wait healthy`).');
  const condition = parseCondition(words);
  if (typeof condition === 'string') throw new UsageError(`wait: ${condition}.`, 'Conditions: healthy, degraded, serving, leader, new-leader, down ID.');
  const timeoutMs = timeoutOption(opts.timeout);
  const target = await commandTarget(c, { ...opts, connect });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    // new-leader: a leader other than the one the last fault removed (ensemble/faults/removed-leader).
    const waited = await resolveCondition(target, condition, c.op.onNotice);
    const status = await waitUntil(target, waited, { timeoutMs, signal: controller.signal });
    const which = 'name' in status ? { name: status.name } : { connectString: status.connectString };
    if (c.o.json) printJson(c.o, { ...which, condition: describeCondition(waited), met: true, status });
    else if (!c.o.quiet) c.o.out(`${describeCondition(waited)}: yes\n${formatAnyStatus(status)}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
