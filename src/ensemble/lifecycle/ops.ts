/**
 * Operations on an existing ensemble: down, and start/stop/restart/kill of chosen servers.
 * Each takes the ensemble's lock and asks the process table what runs.
 */
import { readdir, stat } from 'node:fs/promises';
import { removeOwned } from '../../edge/fs/owned-fs.js';
import { DamagedEnsembleError, NoSuchEnsembleError, UsageError, ZkpseudoError } from '../../errors.js';
import { describeHolder, withLock } from '../../edge/lock/lock.js';
import { signalServer } from '../../edge/process/process.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { assertDataDirsFree, liveServers } from '../observe/identity.js';
import { serverProcesses } from '../../edge/process/proctable.js';
import { endLease } from '../lease/lease.js';
import { stopProxy } from '../faults/proxy-control.js';
import { probeEnsemble, type EnsembleStatus } from '../observe/probe.js';
import { clearRemovedLeader, noteRemovedLeader } from '../faults/removed-leader.js';
import { killOne, startOne, stopOne, type ServerContext, type StartOutcome, type StopOutcome } from './servers.js';
import { readSpec, readSpecIfAny } from '../store/spec-file.js';

/** A server number, `leader`, or `all`, as the CLI and the API accept them. */
export type ServerSelector = number | 'leader' | 'all';

/** Parses a selector typed by a user ("2", "leader", "all"); throws a UsageError otherwise. */
export function parseSelector(text: string): ServerSelector {
  if (text === 'leader' || text === 'all') return text;
  if (/^\d{1,3}$/.test(text)) return Number(text);
  throw new UsageError(`"${text}" is not a server id.`, 'Use a server number, `leader` or `all`.');
}

export type OpContext = ServerContext;

/**
 * The members a selector names; `leader` asks the servers who leads right now (or reads it
 * from `status`, a probe the caller made already).
 */
export async function selectMembers(ctx: OpContext, spec: EnsembleSpec, selector: ServerSelector, probed?: EnsembleStatus): Promise<Member[]> {
  if (selector === 'all') return spec.members;
  if (selector === 'leader') {
    const status = probed ?? (await probeEnsemble(ctx.paths, spec));
    const leader = spec.members.find((m) => m.id === status.health.leader);
    if (!leader) throw new ZkpseudoError(`Ensemble "${spec.name}" has no leader right now (${status.health.summary}).`, 'Run `zkpseudo status` to see each server, or name a server by number.');
    return [leader];
  }
  const member = spec.members.find((m) => m.id === selector);
  if (!member) {
    throw new UsageError(
      `Ensemble "${spec.name}" has no server ${selector}.`,
      `Valid ids are ${spec.members.map((m) => m.id).join(', ')}, \`leader\` and \`all\`.`,
    );
  }
  return [member];
}

/** Runs `fn` holding the ensemble's lock; a wait for another command is said through onNotice. */
export function withEnsembleLock<T>(ctx: OpContext, fn: () => Promise<T>): Promise<T> {
  const what = `ensemble "${ctx.paths.name}"`;
  return withLock(ctx.paths.lockTarget, what, fn, {
    onWait: (h) => ctx.onNotice?.(`waiting for ${describeHolder(h)}, which holds ${what}${h.stopped ? ' and is stopped (Ctrl-Z?)' : ''}`),
  });

}

/**
 * Runs `fn` for every id and lets each finish. When one fails (its process would not go, or
 * the process table could not be read) that error is thrown once all have settled, with what
 * became of each server in its details: no outcome is claimed that was not seen.
 */
async function eachSettled<T>(ids: number[], fn: (id: number) => Promise<T>): Promise<Record<number, T>> {
  const settled = await Promise.allSettled(ids.map(fn));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!failed) return Object.fromEntries(ids.map((id, i) => [id, (settled[i] as PromiseFulfilledResult<T>).value]));
  const err: unknown = failed.reason;
  if (err instanceof ZkpseudoError && !err.details && ids.length > 1) {
    err.details = ids.map((id, i) => {
      const s = settled[i]!;
      return `  server ${id}: ${s.status === 'fulfilled' ? String(s.value) : `cannot tell (${(s.reason as Error)?.message ?? String(s.reason)})`}`;
    }).join('\n');
  }
  throw err;
}

/** True when a directory holds nothing but what zkpseudo puts in an ensemble directory. */
async function looksLikeEnsembleDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  if (!entries) return false;
  // `<file>.damaged-<ms>`: a record zkpseudo found damaged and moved aside (see edge/fs/decode).
  const ours = /^((owner\.json|faults\.json|faults\.applied|removed-leader\.json|super\.secret)(\.damaged-\d+)?|ensemble\.yaml|fault-proxy\.log|security|zookeeper-\d+(\.unpacking|\.damaged)?|.*\.tmp)$/;
  return entries.length === 0 || (entries.some((e) => e === 'ensemble.yaml' || /^zookeeper-\d+$/.test(e)) && entries.every((e) => ours.test(e)));
}

/**
 * Stops every server of the ensemble — every live process the process table shows under its
 * directory, whether or not ensemble.yaml is readable or the directory still exists — and
 * waits until each is gone; ends the owner lease; `purge` then deletes the ensemble.
 */
export async function downEnsemble(ctx: OpContext, opts: { purge?: boolean } = {}): Promise<Record<number, StopOutcome>> {
  return withEnsembleLock(ctx, async () => {
    let spec: EnsembleSpec | undefined;
    let damaged: DamagedEnsembleError | undefined;
    try {
      spec = await readSpecIfAny(ctx.paths);
    } catch (err) {
      if (!(err instanceof DamagedEnsembleError)) throw err;
      damaged = err;
    }
    const live = await liveServers(ctx.paths);
    const dirExists = !!(await stat(ctx.paths.dir).catch(() => undefined));
    if (!spec && !damaged && !live.size && !dirExists) throw new NoSuchEnsembleError(ctx.paths.name, ctx.paths.home);
    if (!spec && live.size) ctx.onNotice?.(`ensemble "${ctx.paths.name}" has ${damaged ? 'a damaged ensemble.yaml' : 'no ensemble.yaml'}; stopping the ${live.size} server(s) found running under ${ctx.paths.dir}`);
    await endLease(ctx.paths, ctx.onNotice);
    // Every server starts afresh after a down: no leader was "removed" any more.
    if (dirExists) await clearRemovedLeader(ctx.paths);
    const ids = [...new Set([...(spec?.members.map((m) => m.id) ?? []), ...live.keys()])].sort((a, b) => a - b);
    const stopping = eachSettled(ids, (id) => stopOne(ctx, id, live.get(id)));
    // The proxy goes too, whatever became of the servers; then a failure is told.
    const outcomes = await stopping.finally(() => stopProxy(ctx.paths));
    if (opts.purge && dirExists) {
      if (!(await looksLikeEnsembleDir(ctx.paths.dir))) {
        throw new ZkpseudoError(
          `${ctx.paths.dir} holds files zkpseudo did not put there, so it was not deleted.`,
          'Look at what is in it and remove it yourself if it is not needed.',
        );
      }
      await removeOwned(ctx.paths.home, ctx.paths.dir, { recursive: true });
    }
    return outcomes;
  });
}

/**
 * Reads the spec, probes who leads and picks the members, for an operation that may take the
 * leader away: the probe is what `noteRemovedLeader` records afterwards (see faults/removed-leader).
 */
async function beforeRemoval(ctx: OpContext, selector: ServerSelector): Promise<{ spec: EnsembleSpec; before: EnsembleStatus; members: Member[] }> {
  const spec = await readSpec(ctx.paths);
  const before = await probeEnsemble(ctx.paths, spec);
  return { spec, before, members: await selectMembers(ctx, spec, selector, before) };
}

export async function stopServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StopOutcome>> {
  return withEnsembleLock(ctx, async () => {
    const { before, members } = await beforeRemoval(ctx, selector);
    const live = await liveServers(ctx.paths);
    const outcomes = await eachSettled(members.map((m) => m.id), (id) => stopOne(ctx, id, live.get(id)));
    await noteRemovedLeader(ctx.paths, before, members.filter((m) => outcomes[m.id] !== 'not-running').map((m) => m.id), 'stop');
    return outcomes;
  });
}

async function startMembers(ctx: OpContext, spec: EnsembleSpec, members: Member[]): Promise<Record<number, StartOutcome>> {
  const table = await serverProcesses();
  const live = await liveServers(ctx.paths, table);
  await assertDataDirsFree(ctx.paths, members.filter((m) => !live.has(m.id)).map((m) => m.id), table);
  // Let every start settle before reporting a failure, so none is left half-known. A start
  // counts once the server answers or has died (see confirm.ts), not when the script says so.
  const settled = await Promise.allSettled(members.map((m) => startOne(ctx, spec, m, live.get(m.id))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return Object.fromEntries(members.map((m, i) => [m.id, (settled[i] as PromiseFulfilledResult<StartOutcome>).value]));
}

export async function startServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StartOutcome>> {
  return withEnsembleLock(ctx, async () => {
    const spec = await readSpec(ctx.paths);
    return startMembers(ctx, spec, await selectMembers(ctx, spec, selector));
  });
}

export async function restartServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StartOutcome>> {
  return withEnsembleLock(ctx, async () => {
    const { spec, before, members } = await beforeRemoval(ctx, selector);
    const live = await liveServers(ctx.paths);
    const stopped = await eachSettled(members.map((m) => m.id), (id) => stopOne(ctx, id, live.get(id)));
    await noteRemovedLeader(ctx.paths, before, members.filter((m) => stopped[m.id] !== 'not-running').map((m) => m.id), 'restart');
    return startMembers(ctx, spec, members);
  });
}

/** SIGKILLs the selected servers (fault injection); returns the ids that were running and got killed. */
export async function killServers(ctx: OpContext, selector: ServerSelector): Promise<number[]> {
  return withEnsembleLock(ctx, async () => {
    const { before, members } = await beforeRemoval(ctx, selector);
    const live = await liveServers(ctx.paths);
    const killed = await eachSettled(members.map((m) => m.id), (id) => killOne(ctx, id, live.get(id)));
    const ids = members.filter((m) => killed[m.id]).map((m) => m.id);
    await noteRemovedLeader(ctx.paths, before, ids, 'kill');
    return ids;
  });
}

/**
 * SIGSTOP (pause) or SIGCONT (resume) to the selected servers: a hung server, as a long GC
 * pause makes one. Returns the ids signalled. `down` and `stop` resume a paused server first.
 */
export async function signalServers(ctx: OpContext, selector: ServerSelector, signal: 'SIGSTOP' | 'SIGCONT'): Promise<number[]> {
  return withEnsembleLock(ctx, async () => {
    // Only a pause can take the leader away; a resume needs no probe first.
    const { before, members } = signal === 'SIGSTOP' ? await beforeRemoval(ctx, selector) : { before: undefined, members: await selectMembers(ctx, await readSpec(ctx.paths), selector) };
    const live = await liveServers(ctx.paths);
    const sent = await Promise.all(members.map(async (m) => {
      const s = live.get(m.id);
      return s ? signalServer(s.pid, ctx.paths.server(m.id).config, signal) : false;
    }));
    const ids = members.filter((_, i) => sent[i]).map((m) => m.id);
    if (before) await noteRemovedLeader(ctx.paths, before, ids, 'pause');
    return ids;
  });
}
