/**
 * The lease watcher (see lease.ts), run as its own process by watcher-main.ts: `node watcher-main.js --zkpseudo-lease-watcher
 * HOME NAME TOKEN`. Every half second: if the lease was ended or replaced, exit; if the owner
 * died, or the ensemble's directory is gone, stop every server of the ensemble (found in the
 * process table, as every command finds them) and exit. Data is kept.
 */
import { stat } from 'node:fs/promises';
import { removeOwned } from '../../edge/owned-fs.js';
import { liveServers } from '../observe/identity.js';
import { ensemblePaths } from '../store/layout.js';
import { ownerAlive, readLeaseBack, type Lease } from './lease.js';
import { stopProcess } from '../lifecycle/servers.js';
import { stopProxy } from '../faults/proxy-control.js';

const POLL_MS = 500;

async function stopAll(paths: ReturnType<typeof ensemblePaths>): Promise<void> {
  const live = await liveServers(paths);
  await Promise.all([...live.values()].map((s) => stopProcess(paths.server(s.id), s.pid).catch(() => undefined)));
  await stopProxy(paths).catch(() => undefined);
}

/**
 * Polls the lease until it ends (then returns) or its owner dies (then stops the servers). A
 * damaged record (decoded strictly, see lease.ts) is not an ended lease: the watcher keeps the
 * owner it last read and leaves the file for a command that can tell the user.
 */
export async function watchLease(home: string, name: string, token: string): Promise<void> {
  const paths = ensemblePaths(home, name);
  let last: Lease | undefined;
  for (;;) {
    const read = await readLeaseBack(paths);
    const lease = read.state === 'ok' ? read.value : read.state === 'damaged' ? last : undefined;
    last = lease;
    if (!lease || lease.token !== token) {
      // Ended by `down`, or replaced by a later `up --owner`; but a vanished directory means
      // the ensemble itself is gone, and its servers with it.
      if (!(await stat(paths.dir).catch(() => undefined))) await stopAll(paths);
      return;
    }
    if (!(await ownerAlive(lease))) {
      await stopAll(paths);
      const now = await readLeaseBack(paths);
      if (now.state === 'ok' && now.value.token === token) await removeOwned(paths.home, paths.ownerFile);
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
