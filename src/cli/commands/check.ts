/** `zkpseudo check`: one line per step; exit 0 only if every step passed. */
import { paint } from '../colour.js';
import { checkTarget } from '../../ensemble/observe/check.js';
import { ExitCode, InterruptedError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';
import { commandTarget, type ConnectFlags } from '../target.js';

export async function checkCommand(c: CommandContext, opts: ConnectFlags = {}): Promise<number> {
  const target = await commandTarget(c, opts);
  // Ctrl-C or SIGTERM: finish the step under way, remove every znode made, then exit 130/143.
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => { signalled = sig; controller.abort(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await checkTarget(target, (s) => {
      if (c.o.json || c.o.quiet) return;
      c.o.out(`${s.ok ? paint().green('✓') : paint().red('✗')} ${s.name}: ${s.detail} ${paint().dim(`(${s.ms} ms)`)}`);
    }, controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (signalled) {
    const left = result.steps.find((s) => s.name === 'clean up' && !s.ok);
    const err = new InterruptedError('`check`');
    err.message = left ? `\`check\` was interrupted, and cleaning up failed: ${left.detail}.` : '`check` was interrupted; every znode it made was deleted.';
    throw Object.assign(err, { exitCode: signalled === 'SIGTERM' ? 143 : 130, hint: left ? 'Delete them with `zkpseudo cli -- deleteall PATH`.' : 'Run `zkpseudo check` again for a whole run.' });
  }
  if (c.o.json) printJson(c.o, { ...(target.kind === 'local' ? { name: c.name } : { connectString: target.connectString }), ...result });
  else if (!result.ok) c.o.err(`check failed at: ${result.steps.find((s) => !s.ok)?.name ?? 'no step ran'}`);
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
