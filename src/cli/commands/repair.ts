/** `zkpseudo repair ID`: move a server's out-of-step data aside and resync it from the others. */
import { repairServer } from '../../ensemble/lifecycle/repair.js';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { formatStatus, printJson } from '../output.js';
import { timeoutOption } from './servers.js';

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
