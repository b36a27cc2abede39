/** Network faults on an ensemble, as the CLI and the library ask for them (ids may say `leader`). */
import { delay, heal, isolate, isolateClients, partition, type FaultState } from './links.js';
import { setFaults } from './proxy-control.js';
import { selectMembers, withEnsembleLock, type OpContext } from '../lifecycle/ops.js';
import { readSpec } from '../store/spec-file.js';

type Id = number | 'leader';

export type FaultRequest =
  | { op: 'isolate'; id: Id }
  | { op: 'isolate-clients'; id: Id }
  | { op: 'partition'; groups: number[][] }
  | { op: 'delay'; from: Id; to: Id | 'clients'; ms: number; jitterMs: number }
  | { op: 'heal' };

export async function applyFault(ctx: OpContext, req: FaultRequest): Promise<{ state: FaultState; summary: string }> {
  return withEnsembleLock(ctx, async () => {
    const spec = await readSpec(ctx.paths);
    const ids = spec.members.map((m) => m.id);
    const one = async (id: Id) => (await selectMembers(ctx, spec, id))[0]!.id;
    let change: (s: FaultState) => FaultState | string;
    let summary: string;
    switch (req.op) {
      case 'isolate': { const id = await one(req.id); change = (s) => isolate(s, id, ids); summary = `server ${id} is cut off from every other server`; break; }
      case 'isolate-clients': { const id = await one(req.id); change = (s) => isolateClients(s, id); summary = `server ${id} is cut off from its clients`; break; }
      case 'partition': change = (s) => partition(s, req.groups, ids); summary = `partitioned: ${req.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`; break;
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
    return { state, summary };
  });
}
