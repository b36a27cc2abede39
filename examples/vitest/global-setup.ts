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
  zk = await up({ name: 'vitest', servers: 3, ports: 'auto' });
  project.provide('zkConnect', zk.connectString);
}

export async function teardown() {
  await zk?.down({ purge: true });
}
