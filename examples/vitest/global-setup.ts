// vitest globalSetup: one real ZooKeeper ensemble for the whole test run, this run's alone.
import { up, type Ensemble } from 'zkpseudo';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    zk: { name: string; home: string; connectString: string };
  }
}

let zk: Ensemble | undefined;

export async function setup(project: TestProject) {
  // A throwaway ensemble: a unique name and free ports, so two runs at once never meet, and an
  // owner lease on this process: if it dies without teardown (a CI timeout, a SIGKILL), the servers stop too.
  zk = await up({ servers: 3 });
  project.provide('zk', { name: zk.name, home: zk.home, connectString: zk.connectString });
}

export async function teardown() {
  await zk?.down(); // up() made it, so down() deletes it
}
