/** Entry of the fault proxy's own process (see proxy.ts): `node proxy-main.js --zkpseudo-fault-proxy HOME NAME`. */
import { FAULT_PROXY_FLAG } from './proxy-control.js';
import { runFaultProxy } from './proxy.js';

const [flag, home, name] = process.argv.slice(2);
if (flag === FAULT_PROXY_FLAG && home && name) {
  runFaultProxy(home, name).catch((err) => {
    process.stderr.write(`zkpseudo fault proxy: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
