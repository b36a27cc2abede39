// vitest globalSetup: one real ZooKeeper ensemble for the whole test run.
import { up, type Ensemble } from 'zkpseudo';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    zkConnect: string;
  }
}

let zk: Ensemble | undefined;

export async function setup(project: TestProject) {
  // owner: if this process dies without teardown (a CI timeout, a SIGKILL), the servers stop too.
  zk = await up({ name: 'vitest', servers: 3, ports: 'auto', owner: process.pid });
  project.provide('zkConnect', zk.connectString);
}

export async function teardown() {
  await zk?.down({ purge: true });
}
