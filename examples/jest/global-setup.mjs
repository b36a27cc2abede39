// Jest globalSetup: start an ensemble before any test worker; workers inherit ZK_CONNECT.
import { up } from 'zkpseudo';

export default async function globalSetup() {
  // owner: if Jest dies without its globalTeardown (a CI timeout, a SIGKILL), the servers stop too.
  const zk = await up({ name: 'jest', servers: 3, ports: 'auto', owner: process.pid });
  process.env.ZK_CONNECT = zk.connectString;
  globalThis.__ZKPSEUDO__ = zk;
}
