/** `isolate`, `isolate-clients`, `partition`, `delay`, `heal`: change the links of a faults-enabled ensemble. */
import { applyFault, type FaultRequest } from '../../ensemble/faults/operations.js';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../options/options.js';
import { parseGroup } from '../../ensemble/faults/links.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';

function delayMs(flag: string, text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || ms > 60_000) throw new UsageError(`${flag} "${text}" is not a delay from 0 to 60s, like 200ms.`, 'Give a duration like 200ms or 1s.');
  return ms;
}

const sid = (text: string) => (text === 'leader' ? 'leader' : /^\d{1,3}$/.test(text) ? Number(text) : (() => { throw new UsageError(`"${text}" is not a server id.`, 'Use a server number or `leader`.'); })());

export async function faultCommand(c: CommandContext, op: 'isolate' | 'isolate-clients' | 'partition' | 'delay' | 'heal', args: string[], opts: { jitter?: string }): Promise<number> {
  let req: FaultRequest;
  switch (op) {
    case 'isolate': req = { op, id: sid(args[0]!) }; break;
    case 'isolate-clients': req = { op, id: sid(args[0]!) }; break;
    case 'partition': {
      const groups = args.map(parseGroup);
      const bad = groups.find((g): g is string => typeof g === 'string');
      if (bad) throw new UsageError(`partition: ${bad}.`, 'Give one comma-separated group per argument, like `zkpseudo partition 1,2 3,4,5`.');
      req = { op, groups: groups as number[][] };
      break;
    }
    case 'delay':
      req = { op, from: sid(args[0]!), to: args[1] === 'clients' ? 'clients' : sid(args[1]!), ms: delayMs('delay', args[2]), jitterMs: delayMs('--jitter', opts.jitter) };
      break;
    case 'heal': req = { op }; break;
  }
  const { state, summary: said } = await applyFault(c.op, req);
  const result = { state, summary: said };
  if (c.o.json) printJson(c.o, { name: c.name, action: op, ...result });
  else if (!c.o.quiet) c.o.out(result.summary);
  return 0;
}
