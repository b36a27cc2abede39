/** Network faults on an ensemble, as the CLI and the library ask for them (ids may say `leader`). */
import { delay, heal, isolate, isolateClients, partition, type FaultState } from './links.js';
import { setFaults } from './proxy-control.js';
import { selectMembers, withEnsembleLock, type OpContext } from '../lifecycle/ops.js';
import { readSpec } from '../store/spec-file.js';
import { probeEnsemble } from '../observe/probe.js';
import { noteRemovedLeader } from './removed-leader.js';
import type { EnsembleSpec } from '../../options/types.js';

type Id = number | 'leader';

export type FaultRequest =
  | { op: 'isolate'; id: Id }
  | { op: 'isolate-clients'; id: Id }
  | { op: 'partition'; groups: number[][] }
  | { op: 'delay'; from: Id; to: Id | 'clients'; ms: number; jitterMs: number }
  | { op: 'heal' };

/** Servers a partition leaves outside every group that holds a majority of the voters. */
function cutFromMajority(spec: EnsembleSpec, groups: number[][]): number[] {
  const voters = spec.members.filter((m) => m.peerType === 'participant').map((m) => m.id);
  const majority = Math.floor(voters.length / 2) + 1;
  const serving = groups.find((g) => g.filter((id) => voters.includes(id)).length >= majority) ?? [];
  return spec.members.map((m) => m.id).filter((id) => !serving.includes(id));
}

/**
 * Applies a network fault; returns the new state, a sentence, and the servers it cut off from
 * the others (isolate, partition), for `--wait` to know what settled means.
 */
export async function applyFault(ctx: OpContext, req: FaultRequest): Promise<{ state: FaultState; summary: string; removed: number[] }> {
  return withEnsembleLock(ctx, async () => {
    const spec = await readSpec(ctx.paths);
    const ids = spec.members.map((m) => m.id);
    // Isolate and partition can take the leader away: who leads before is what gets recorded.
    const before = req.op === 'isolate' || req.op === 'partition' ? await probeEnsemble(ctx.paths, spec) : undefined;
    const one = async (id: Id) => (await selectMembers(ctx, spec, id, before))[0]!.id;
    let removed: number[] = [];
    let change: (s: FaultState) => FaultState | string;
    let summary: string;
    switch (req.op) {
      case 'isolate': { const id = await one(req.id); removed = [id]; change = (s) => isolate(s, id, ids); summary = `server ${id} is cut off from every other server`; break; }
      case 'isolate-clients': { const id = await one(req.id); change = (s) => isolateClients(s, id); summary = `server ${id} is cut off from its clients`; break; }
      case 'partition': removed = cutFromMajority(spec, req.groups); change = (s) => partition(s, req.groups, ids); summary = `partitioned: ${req.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`; break;
      case 'delay': {
        const from = await one(req.from);
        const to = req.to === 'clients' ? 'clients' : await one(req.to);
        change = (s) => delay(s, from, to, { ms: req.ms, jitterMs: req.jitterMs });
        summary = `link ${from} ↔ ${to === 'clients' ? 'its clients' : to} delayed by ${req.ms} ms${req.jitterMs ? ` (+ up to ${req.jitterMs} ms)` : ''}`;
        break;
      }
      case 'heal': change = heal; summary = 'every link restored'; break;
    }
    const state = await setFaults(ctx.paths, spec, change, ctx.onNotice);
    if (before) await noteRemovedLeader(ctx.paths, before, removed, req.op === 'isolate' ? 'isolate' : 'partition');
    return { state, summary, removed };
  });
}
