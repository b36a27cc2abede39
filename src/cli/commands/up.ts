/** `zkpseudo up [N]`: create or resume an ensemble and wait for a healthy quorum. */
import { connectString } from '../../ensemble/probe.js';
import { upEnsemble } from '../../ensemble/up.js';
import { HealthTimeoutError } from '../../ensemble/wait.js';
import { InterruptedError } from '../../errors.js';
import type { EnsembleOptions } from '../../options/types.js';
import type { CommandContext } from '../context.js';
import { formatStatus, printJson } from '../output.js';
import { createUpDisplay } from '../progress.js';
import { upJson } from '../json.js';

export async function upCommand(c: CommandContext, file: string | undefined, flags: EnsembleOptions): Promise<number> {
  const fromFile = file ? await (await import('../../options/file.js')).loadEnsembleFile(file, c.env) : {};
  const options: EnsembleOptions = { ...fromFile, ...flags };
  const name = c.nameGiven ? c.name : (fromFile.name ?? c.name);
  // Redraw in place only on a real terminal of some size; CI logs and dumb terminals get plain lines.
  const tty = !!process.stderr.isTTY && !c.env.CI && c.env.TERM !== 'dumb' && (process.stderr.rows ?? 0) > 0;
  const display = await createUpDisplay({ tty, write: (l) => c.o.err(l) });
  const quiet = c.o.quiet || c.o.json;
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled = sig;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await upEnsemble({ ...options, name, home: c.home }, {
      env: c.env,
      signal: controller.signal,
      onEvent: (e) => { if (!quiet) display.onEvent(e); },
    });
    if (!quiet) display.finish();
    if (c.o.json) printJson(c.o, upJson(result));
    else if (!c.o.quiet) {
      if (result.status) c.o.out(formatStatus(result.status));
      c.o.out(`ZK_CONNECT=${connectString(result.spec)}`);
    }
    return 0;
  } catch (err) {
    if (!quiet) display.finish();
    if (err instanceof HealthTimeoutError && !c.o.quiet) {
      c.o.err(formatStatus(err.status));
      for (const [id, tail] of Object.entries(err.logTails)) if (tail) c.o.err(`--- server ${id}, last log lines ---\n${tail}`);
    }
    if (err instanceof InterruptedError && signalled === 'SIGTERM') throw Object.assign(err, { exitCode: 143 });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
