/** `zkpseudo wait CONDITION`: block until the ensemble is in that state (exit 0) or time runs out (exit 2). */
import { readSpec } from '../../ensemble/store/spec-file.js';
import { waitFor } from '../../ensemble/observe/wait-condition.js';
import { UsageError } from '../../errors.js';
import { describeCondition, parseCondition } from '../../zk/conditions.js';
import type { CommandContext } from '../context.js';
import { formatStatus, printJson } from '../output.js';
import { timeoutOption } from './servers.js';

export async function waitCommand(c: CommandContext, words: string[], opts: { timeout?: string }): Promise<number> {
  const condition = parseCondition(words);
  if (typeof condition === 'string') throw new UsageError(`wait: ${condition}.`, 'Conditions: healthy, degraded, serving, leader, new-leader, down ID.');
  const timeoutMs = timeoutOption(opts.timeout);
  const spec = await readSpec(c.paths);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    // new-leader: a leader other than the one the last fault removed (ensemble/faults/removed-leader).
    const status = await waitFor(c.paths, spec, condition, { timeoutMs, signal: controller.signal, ...(c.op.onNotice ? { onNotice: c.op.onNotice } : {}) });
    if (c.o.json) printJson(c.o, { name: spec.name, condition: describeCondition(condition), met: true, status });
    else if (!c.o.quiet) c.o.out(`${describeCondition(condition)}: yes\n${formatStatus(status)}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
