/** `down`, `stop|start|restart|kill|pause|resume ID [--wait]` and `repair ID`: thin wrappers that report outcomes. */
import { downEnsemble, killServers, parseSelector, restartServers, signalServers, startServers, stopServers } from '../../ensemble/lifecycle/ops.js';
import { repairServer } from '../../ensemble/lifecycle/repair.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { waitFor } from '../../ensemble/observe/wait-condition.js';
import { settleCondition } from '../../ensemble/observe/settle.js';
import { UsageError } from '../../errors.js';
import { parseDuration, DEFAULT_TIMEOUT_MS } from '../../options/options.js';
import type { CommandContext } from '../context.js';
import { formatStatus, printJson } from '../output.js';

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

export type ServerVerb = 'stop' | 'start' | 'restart' | 'kill' | 'pause' | 'resume';

/** A duration option of the CLI, checked (exit 64) or the default. */
export function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`--timeout "${value}" is not a duration from 1ms to 24h.`, 'Give a duration like 30s, 2m or 1h.');
  return ms;
}

export async function serverCommand(c: CommandContext, verb: ServerVerb, id: string, opts: { wait?: boolean; timeout?: string }): Promise<number> {
  const selector = parseSelector(id);
  const timeoutMs = timeoutOption(opts.timeout);
  let outcomes: Record<number, string>;
  switch (verb) {
    case 'stop': outcomes = await stopServers(c.op, selector); break;
    case 'start': outcomes = await startServers(c.op, selector); break;
    case 'restart': outcomes = await restartServers(c.op, selector); break;
    case 'kill': outcomes = Object.fromEntries((await killServers(c.op, selector)).map((k) => [k, 'killed (SIGKILL)'])); break;
    case 'pause': outcomes = Object.fromEntries((await signalServers(c.op, selector, 'SIGSTOP')).map((k) => [k, 'paused (SIGSTOP)'])); break;
    case 'resume': outcomes = Object.fromEntries((await signalServers(c.op, selector, 'SIGCONT')).map((k) => [k, 'resumed (SIGCONT)'])); break;
  }
  if (!Object.keys(outcomes).length && !c.o.json && !c.o.quiet) c.o.out(`no running server matched; nothing was ${verb === 'kill' ? 'killed' : verb === 'pause' ? 'paused' : 'resumed'}`);
  let waited: Record<string, unknown> = {};
  if (opts.wait) {
    // What settled means (observe/settle): a new leader when this took the leader away.
    const condition = await settleCondition(c.paths, verb, Object.keys(outcomes).map(Number));
    const status = await waitFor(c.paths, await readSpec(c.paths), condition, { timeoutMs });
    waited = { status };
    if (!c.o.json && !c.o.quiet) c.o.out(formatStatus(status));
  }
  return report(c, verb, outcomes, waited);
}

/** `zkpseudo repair ID`: move a server's out-of-step data aside and resync it from the others. */
export async function repairCommand(c: CommandContext, id: string, opts: { timeout?: string }): Promise<number> {
  if (!/^\d{1,3}$/.test(id)) throw new UsageError(`repair takes one server number, not "${id}".`, 'Name the server that cannot start, like `zkpseudo repair 2`; `zkpseudo status` lists them.');
  const timeoutMs = timeoutOption(opts.timeout);
  const r = await repairServer(c.op, Number(id), { timeoutMs });
  if (c.o.json) {
    printJson(c.o, { name: c.name, action: 'repair', id: r.id, quarantined: r.quarantined, status: r.status });
    return 0;
  }
  if (c.o.quiet) return 0;
  const self = r.status.servers.find((s) => s.id === r.id);
  if (r.stopped) c.o.out(`server ${r.id}: was running; stopped it first (the others kept a quorum)`);
  c.o.out(`server ${r.id}: moved its data aside (${r.moved.length ? r.moved.join(', ') : 'the data dir was empty'}); nothing was deleted`);
  c.o.out(`server ${r.id}: started empty and resynced from leader ${r.status.health.leader}; now ${self?.role ?? 'serving'}${self?.zxid ? ` at zxid ${self.zxid}` : ''}`);
  c.o.out(`old data: ${r.quarantined}`);
  c.o.out(formatStatus(r.status));
  return 0;
}
