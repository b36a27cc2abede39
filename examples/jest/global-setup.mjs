// Jest globalSetup: start an ensemble before any test worker; workers inherit ZK_CONNECT.
import { up } from 'zkpseudo';

export default async function globalSetup() {
  const zk = await up({ name: 'jest', servers: 3, ports: 'auto' });
  process.env.ZK_CONNECT = zk.connectString;
  globalThis.__ZKPSEUDO__ = zk;
}
