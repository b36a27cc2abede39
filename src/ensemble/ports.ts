/** Choosing the ensemble's ports and proving them free before anything starts. */
import { ZkpseudoError } from '../errors.js';
import { busyPorts, findFreeBlock, portOwner } from '../edge/ports.js';
import { allPorts, blockPorts, blockSpan, classicPorts, type ServerPorts } from '../zk/ports.js';

/**
 * Ports for `count` servers under a scheme; `auto` probes for a free block. AdminServer ports,
 * when asked for, come from the same block (auto, base port), from P upwards, or from a free
 * block of their own beside the classic scheme.
 */
export async function choosePorts(scheme: 'classic' | 'auto' | number, count: number, admin?: 'auto' | number): Promise<ServerPorts[]> {
  const withAdmin = admin === 'auto' && scheme !== 'classic';
  const ports =
    scheme === 'classic' ? classicPorts(count)
    : typeof scheme === 'number' ? blockPorts(scheme, count, withAdmin)
    : blockPorts(await findFreeBlock(blockSpan(count, withAdmin)), count, withAdmin);
  if (admin === undefined || withAdmin) return ports;
  const first = typeof admin === 'number' ? admin : await findFreeBlock(count);
  return ports.map((p, i) => ({ ...p, admin: first + i }));
}

/** Throws naming every busy port (and its owner where it can be found) among those given. */
export async function assertPortsFree(ports: ServerPorts[], ensemble: string): Promise<void> {
  const busy = await busyPorts(allPorts(ports));
  if (!busy.length) return;
  const named = await Promise.all(busy.map(async (p) => {
    const owner = await portOwner(p);
    return owner ? `${p} (held by ${owner})` : String(p);
  }));
  throw new ZkpseudoError(
    `Port${busy.length > 1 ? 's' : ''} ${named.join(', ')} ${busy.length > 1 ? 'are' : 'is'} already in use; no server was started.`,
    `Stop whatever holds ${busy.length > 1 ? 'them' : 'it'}, or pick other ports for "${ensemble}" with \`--ports auto\` or \`--base-port P\` (on a new ensemble).`,
  );
}

/** True when any of the ports is taken now. */
export async function anyBusy(ports: ServerPorts[]): Promise<boolean> {
  return (await busyPorts(allPorts(ports))).length > 0;
}
