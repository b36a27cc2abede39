/** Operations on an existing ensemble: down, and start/stop/restart/kill of chosen servers. */
import { rm } from 'node:fs/promises';
import { UsageError, ZkpseudoError } from '../errors.js';
import { withLock } from '../edge/lock.js';
import type { EnsembleSpec, Member } from '../spec/types.js';
import { ensemblePaths } from './layout.js';
import { probeEnsemble } from './probe.js';
import { killOne, startOne, stopOne, type ServerContext, type StartOutcome, type StopOutcome } from './servers.js';
import { readSpec } from './store.js';

/** A server number, `leader`, or `all`, as the CLI and the API accept them. */
export type ServerSelector = number | 'leader' | 'all';

/** Parses a selector typed by a user ("2", "leader", "all"); throws a UsageError otherwise. */
export function parseSelector(text: string): ServerSelector {
  if (text === 'leader' || text === 'all') return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`"${text}" is not a server id.`, 'Use a server number, `leader` or `all`.');
}

/** The members a selector names; `leader` asks the servers who leads right now. */
export async function selectMembers(home: string, spec: EnsembleSpec, selector: ServerSelector): Promise<Member[]> {
  if (selector === 'all') return spec.members;
  if (selector === 'leader') {
    const status = await probeEnsemble(home, spec);
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

export interface OpContext extends ServerContext {
  name: string;
}

/** Stops every server and waits until each process is gone; `purge` then deletes the ensemble. */
export async function downEnsemble(ctx: OpContext, opts: { purge?: boolean } = {}): Promise<Record<number, StopOutcome>> {
  const spec = await readSpec(ctx.home, ctx.name);
  const paths = ensemblePaths(ctx.home, ctx.name);
  return withLock(paths.lockTarget, `ensemble "${ctx.name}"`, async () => {
    const outcomes = await Promise.all(spec.members.map((m) => stopOne(ctx, spec, m)));
    if (opts.purge) await rm(paths.dir, { recursive: true, force: true });
    return Object.fromEntries(spec.members.map((m, i) => [m.id, outcomes[i]!]));
  });
}

export async function stopServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StopOutcome>> {
  const spec = await readSpec(ctx.home, ctx.name);
  const members = await selectMembers(ctx.home, spec, selector);
  const outcomes = await Promise.all(members.map((m) => stopOne(ctx, spec, m)));
  return Object.fromEntries(members.map((m, i) => [m.id, outcomes[i]!]));
}

export async function startServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StartOutcome>> {
  const spec = await readSpec(ctx.home, ctx.name);
  const members = await selectMembers(ctx.home, spec, selector);
  const outcomes = await Promise.all(members.map((m) => startOne(ctx, spec, m)));
  return Object.fromEntries(members.map((m, i) => [m.id, outcomes[i]!]));
}

export async function restartServers(ctx: OpContext, selector: ServerSelector): Promise<Record<number, StartOutcome>> {
  const spec = await readSpec(ctx.home, ctx.name);
  const members = await selectMembers(ctx.home, spec, selector);
  await Promise.all(members.map((m) => stopOne(ctx, spec, m)));
  const outcomes = await Promise.all(members.map((m) => startOne(ctx, spec, m)));
  return Object.fromEntries(members.map((m, i) => [m.id, outcomes[i]!]));
}

/** SIGKILLs the selected servers (fault injection); returns the ids that were running and got killed. */
export async function killServers(ctx: OpContext, selector: ServerSelector): Promise<number[]> {
  const spec = await readSpec(ctx.home, ctx.name);
  const members = await selectMembers(ctx.home, spec, selector);
  const killed = await Promise.all(members.map((m) => killOne(ctx, spec, m)));
  return members.filter((_, i) => killed[i]).map((m) => m.id);
}
