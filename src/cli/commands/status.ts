/** `zkpseudo status [--watch] [--connect …]`: each server's role and the quorum's health; the exit code says which. */
import type { EnsembleStatus } from '../../ensemble/observe/probe.js';
import type { RemoteStatus } from '../../ensemble/remote/probe.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { ExitCode, NoSuchEnsembleError, ZkpseudoError } from '../../errors.js';
import { liveServers } from '../../ensemble/observe/identity.js';
import type { CommandContext } from '../context.js';
import { formatAnyStatus, printJson, printJsonLine, stdoutGone } from '../output.js';
import { statusJson } from '../json.js';
import { commandTarget, type ConnectFlags } from '../target.js';

export function exitCodeFor(status: { health: { state: string } }): number {
  return status.health.state === 'healthy' ? ExitCode.ok : status.health.state === 'degraded' ? ExitCode.degraded : ExitCode.failed;
}

/** The spec, or — when there is none but servers still run under the directory — an error that says so. */
async function specOrOrphans(c: CommandContext) {
  try {
    return await readSpec(c.paths);
  } catch (err) {
    if (!(err instanceof NoSuchEnsembleError)) throw err;
    const live = await liveServers(c.paths);
    if (!live.size) throw err;
    throw new ZkpseudoError(
      `Ensemble "${c.name}" is gone from ${c.paths.dir}, but ${live.size} of its servers still run (pid ${[...live.values()].map((s) => s.pid).join(', ')}).`,
      `Stop them with \`zkpseudo down --name ${c.name}\` or \`zkpseudo gc\`.`,
      ExitCode.noSuchEnsemble,
    );
  }
}

export async function statusCommand(c: CommandContext, opts: ConnectFlags & { watch?: boolean; interval?: number }): Promise<number> {
  const target = await commandTarget(c, opts, () => specOrOrphans(c));
  const probe = (): Promise<EnsembleStatus | RemoteStatus> => target.probe();
  // A local ensemble's document says where it lives; any other is what its servers answered.
  const json = (s: EnsembleStatus | RemoteStatus) => ('name' in s ? statusJson(s, c.paths.dir) : s);
  if (!opts.watch) {
    const status = await probe();
    if (c.o.json) printJson(c.o, json(status));
    else if (!c.o.quiet) c.o.out(formatAnyStatus(status));
    return exitCodeFor(status);
  }
  const intervalMs = opts.interval ?? 1000;
  // Redraw in place only on a real terminal; a dumb one (and a pipe) gets a line per change.
  const tty = !!process.stdout.isTTY && c.env.TERM !== 'dumb';
  const { createLogUpdate } = await import('log-update');
  const render = createLogUpdate(process.stdout);
  let last = '';
  let stop = false;
  const onSig = () => { stop = true; };
  process.once('SIGINT', onSig);
  let status: EnsembleStatus | RemoteStatus | undefined;
  while (!stop && !stdoutGone()) {
    status = await probe();
    // --watch --json: one document per line (NDJSON), so a reader can act on each.
    if (c.o.json) printJsonLine(c.o, json(status));
    else {
      const text = formatAnyStatus(status);
      if (tty) render(`${text}\n(refreshing every ${intervalMs / 1000} s; Ctrl-C to stop)`);
      else if (text !== last) c.o.out(`${new Date().toISOString()}\n${text}`);
      last = text;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  if (tty) render.done();
  return status ? exitCodeFor(status) : 0;
}
