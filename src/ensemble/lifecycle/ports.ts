/** Choosing the ensemble's ports and reserving them, proven free, before anything starts. */
import { ZkpseudoError } from '../../errors.js';
import { findFreeBlock, portOwner } from '../../edge/ports.js';
import { reservePorts } from '../../edge/reservations.js';
import { busyPorts } from '../../edge/ports.js';
import { allPorts, blockPorts, blockSpan, classicPorts, CLASSIC_SECURE_BASE, type ServerPorts } from '../../zk/config/ports.js';

/**
 * Ports for `count` servers under a scheme; `auto` probes for a free block. AdminServer ports,
 * when asked for, come from the same block (auto, base port), from P upwards, or from a free
 * block of their own beside the classic scheme.
 */
export async function choosePorts(scheme: 'classic' | 'auto' | number, count: number, admin?: 'auto' | number, secure = false): Promise<ServerPorts[]> {
  const withAdmin = admin === 'auto' && scheme !== 'classic';
  // A secure client port per server (TLS beside the plain port) follows the block: n more ports.
  const extra = secure ? count : 0;
  const base = scheme === 'classic' ? undefined : typeof scheme === 'number' ? scheme : await findFreeBlock(blockSpan(count, withAdmin) + extra);
  const ports = base === undefined ? classicPorts(count) : blockPorts(base, count, withAdmin);
  const secured = !secure ? ports : ports.map((p, i) => ({ ...p, secureClient: (base === undefined ? CLASSIC_SECURE_BASE : base + blockSpan(count, withAdmin)) + i }));
  if (admin === undefined || withAdmin) return secured;
  const first = typeof admin === 'number' ? admin : await findFreeBlock(count);
  return secured.map((p, i) => ({ ...p, admin: first + i }));
}

/**
 * Reserves every port of the given servers machine-wide (see edge/reservations) and returns
 * the release; throws naming every busy port (and its holder where it can be found).
 */
export async function reserveServerPorts(env: NodeJS.ProcessEnv, ensemble: string, ports: ServerPorts[], extra: number[] = [], onNotice?: (text: string) => void): Promise<() => Promise<void>> {
  const { conflicts, release } = await reservePorts(env, `ensemble "${ensemble}"`, [...allPorts(ports), ...extra], onNotice);
  if (!conflicts.length) return release;
  let orphan = false;
  const named = await Promise.all(conflicts.map(async (c) => {
    if (c.reservedBy) return `${c.port} (reserved by ${c.reservedBy})`;
    const owner = await portOwner(c.port);
    if (owner?.zkpseudoServer) orphan = true;
    return owner ? `${c.port} (held by ${owner.description})` : String(c.port);
  }));
  const many = conflicts.length > 1;
  throw new ZkpseudoError(
    `Port${many ? 's' : ''} ${named.join(', ')} ${many ? 'are' : 'is'} already in use; no server was started.`,
    (orphan ? 'A ZooKeeper server started by zkpseudo holds it: `zkpseudo ls` shows whose, and `zkpseudo gc` stops servers whose ensemble is gone. Or ' : '')
      + `${orphan ? 's' : 'S'}top whatever holds ${many ? 'them' : 'it'}, or pick other ports for "${ensemble}" with \`--ports auto\` or \`--base-port P\` (on a new ensemble).`,
  );
}

/** True when any of the ports is taken now. */
export async function anyBusy(ports: ServerPorts[]): Promise<boolean> {
  return (await busyPorts(allPorts(ports))).length > 0;
}
