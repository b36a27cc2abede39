/**
 * The lease watcher's program (see lease.ts): `node lease-watcher.js --zkpseudo-lease-watcher
 * HOME NAME TOKEN`. Every half second: if the lease was ended or replaced, exit; if the owner
 * died, or the ensemble's directory is gone, stop every server of the ensemble (found in the
 * process table, as every command finds them) and exit. Data is kept.
 */
import { stat } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { liveServers } from './identity.js';
import { ensemblePaths } from './layout.js';
import { ownerAlive, readLease, WATCHER_FLAG } from './lease.js';
import { stopProcess } from './servers.js';
import { stopProxy } from './faults.js';

const POLL_MS = 500;

async function stopAll(paths: ReturnType<typeof ensemblePaths>): Promise<void> {
  const live = await liveServers(paths);
  await Promise.all([...live.values()].map((s) => stopProcess(paths.server(s.id), s.pid).catch(() => undefined)));
  await stopProxy(paths).catch(() => undefined);
}

async function watch(home: string, name: string, token: string): Promise<void> {
  const paths = ensemblePaths(home, name);
  for (;;) {
    const lease = await readLease(paths);
    if (!lease || lease.token !== token) {
      // Ended by `down`, or replaced by a later `up --owner`; but a vanished directory means
      // the ensemble itself is gone, and its servers with it.
      if (!(await stat(paths.dir).catch(() => undefined))) await stopAll(paths);
      return;
    }
    if (!(await ownerAlive(lease))) {
      await stopAll(paths);
      const now = await readLease(paths);
      if (now?.token === token) await rm(paths.ownerFile, { force: true });
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const [flag, home, name, token] = process.argv.slice(2);
if (flag === WATCHER_FLAG && home && name && token) {
  process.on('SIGTERM', () => process.exit(0));
  await watch(home, name, token);
}
