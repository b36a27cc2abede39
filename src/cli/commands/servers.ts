/** `down`, `stop ID`, `start ID`, `restart ID`, `kill ID`: thin wrappers that report outcomes. */
import { downEnsemble, killServers, parseSelector, restartServers, startServers, stopServers } from '../../ensemble/ops.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';

function report(c: CommandContext, verb: string, outcomes: Record<number, string>, extra: Record<string, unknown> = {}): number {
  if (c.o.json) printJson(c.o, { name: c.name, action: verb, servers: outcomes, ...extra });
  else if (!c.o.quiet) for (const [id, outcome] of Object.entries(outcomes)) c.o.out(`server ${id}: ${outcome}`);
  return 0;
}

export async function downCommand(c: CommandContext, opts: { purge?: boolean }): Promise<number> {
  const outcomes = await downEnsemble(c.op, { purge: !!opts.purge });
  const code = report(c, 'down', outcomes, { purged: !!opts.purge });
  if (!c.o.json && !c.o.quiet) c.o.out(opts.purge ? `ensemble "${c.name}" stopped and deleted` : `ensemble "${c.name}" stopped; data kept (\`zkpseudo up\` resumes, \`down --purge\` deletes)`);
  return code;
}

export async function stopCommand(c: CommandContext, id: string): Promise<number> {
  return report(c, 'stop', await stopServers(c.op, parseSelector(id)));
}

export async function startCommand(c: CommandContext, id: string): Promise<number> {
  return report(c, 'start', await startServers(c.op, parseSelector(id)));
}

export async function restartCommand(c: CommandContext, id: string): Promise<number> {
  return report(c, 'restart', await restartServers(c.op, parseSelector(id)));
}

export async function killCommand(c: CommandContext, id: string): Promise<number> {
  const killed = await killServers(c.op, parseSelector(id));
  const outcomes = Object.fromEntries(killed.map((k) => [k, 'killed (SIGKILL)']));
  if (!killed.length && !c.o.json && !c.o.quiet) c.o.out('no running server matched; nothing was killed');
  return report(c, 'kill', outcomes);
}
