/**
 * The lease watcher (see lease.ts), run as its own process by watcher-main.ts: `node watcher-main.js --zkpseudo-lease-watcher
 * HOME NAME TOKEN`. Every half second: if the lease was ended or replaced, exit; if the owner
 * died, or the ensemble's directory is gone, stop every server of the ensemble (found in the
 * process table, as every command finds them) and exit. Data is kept.
 */
import { stat } from 'node:fs/promises';
import { removeOwned } from '../../edge/fs/owned-fs.js';
import { liveServers } from '../observe/identity.js';
import { ensemblePaths } from '../store/layout.js';
import { ownerAlive, readLeaseBack, type Lease } from './lease.js';
import { stopProcess } from '../lifecycle/servers.js';
import { stopProxy } from '../faults/proxy-control.js';

const POLL_MS = 500;

/** Stops every server and the proxy; false when one could not be seen to stop (tried again next poll). */
async function stopAll(paths: ReturnType<typeof ensemblePaths>): Promise<boolean> {
  const live = await liveServers(paths);
  const stopped = await Promise.all([...live.values()].map((s) => stopProcess(paths.server(s.id), s.pid).then(() => true, () => false)));
  const proxy = await stopProxy(paths).then(() => true, () => false);
  return stopped.every(Boolean) && proxy;
}

/**
 * One poll: 'done' once the lease has ended or its servers were stopped; 'again' otherwise. A
 * damaged record (decoded strictly, see lease.ts) is not an ended lease: the owner last read
 * (`last.lease`) stands, and the file is left for a command that can tell the user.
 */
async function poll(paths: ReturnType<typeof ensemblePaths>, token: string, last: { lease?: Lease | undefined }): Promise<'done' | 'again'> {
  const read = await readLeaseBack(paths);
  const lease = read.state === 'ok' ? read.value : read.state === 'damaged' ? last.lease : undefined;
  last.lease = lease;
  if (!lease || lease.token !== token) {
    // Ended by `down`, or replaced by a later `up --owner`; but a vanished directory means
    // the ensemble itself is gone, and its servers with it.
    if (!(await stat(paths.dir).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return undefined; throw err; }))) return (await stopAll(paths)) ? 'done' : 'again';
    return 'done';
  }
  if (await ownerAlive(lease)) return 'again';
  if (!(await stopAll(paths))) return 'again';
  const now = await readLeaseBack(paths);
  if (now.state === 'ok' && now.value.token === token) await removeOwned(paths.home, paths.ownerFile);
  return 'done';
}

/**
 * Polls the lease until it ends (then returns) or its owner dies (then stops the servers). A
 * poll that cannot tell (the process table unreadable for a moment, a server that would not
 * go) decides nothing: the watcher asks again at the next one rather than die or give up.
 */
export async function watchLease(home: string, name: string, token: string): Promise<void> {
  const paths = ensemblePaths(home, name);
  const last: { lease?: Lease | undefined } = {};
  for (;;) {
    if ((await poll(paths, token, last).catch(() => 'again' as const)) === 'done') return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
