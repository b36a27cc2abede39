/** Entry of the lease watcher's own process (see watcher.ts): `node watcher-main.js --zkpseudo-lease-watcher HOME NAME TOKEN`. */
import { WATCHER_FLAG } from './lease.js';
import { watchLease } from './watcher.js';

const [flag, home, name, token] = process.argv.slice(2);
if (flag === WATCHER_FLAG && home && name && token) {
  process.on('SIGTERM', () => process.exit(0));
  await watchLease(home, name, token);
}
