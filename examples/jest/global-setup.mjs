// Jest globalSetup: one ensemble for the run, started before any test worker; the workers find it
// through the environment they inherit.
import { up } from 'zkpseudo';

export default async function globalSetup() {
  // A throwaway ensemble: a unique name, free ports, and an owner lease on Jest's process: if
  // Jest dies without its globalTeardown (a CI timeout, a SIGKILL), the servers stop too.
  const zk = await up({ servers: 3 });
  process.env.ZK_CONNECT = zk.connectString;
  process.env.ZK_ENSEMBLE = zk.name;
  process.env.ZKPSEUDO_HOME = zk.home;
  globalThis.__ZKPSEUDO__ = zk;
}
