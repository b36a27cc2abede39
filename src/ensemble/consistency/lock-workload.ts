/**
 * The lock workload, ZooKeeper's lock recipe: create an ephemeral-sequential node under the
 * lock node; the client whose node is lowest holds the lock; the others each watch the node
 * just below theirs and look again when it goes. A holder keeps the lock a moment, then deletes
 * its node. The acquisition records when the request that showed the node lowest was sent:
 * the session's lease — and so the holder's claim — runs from then (lock-check.ts).
 */
import { CreateMode, type Session } from '../../edge/zkclient.js';
import { sleep } from '../../edge/sleep.js';
import type { Completion, Worker } from './worker.js';
import type { WorkloadRun } from './workload.js';

/**
 * Waits until `path` is gone or changes, or `ms` passes (a watch is lost with its connection).
 * One watch per predecessor: the library keeps every watcher it was given until its event.
 */
function watcher(s: Session) {
  let watched: { path: string; fired: Promise<void> } | undefined;
  return async (path: string, ms: number): Promise<void> => {
    if (watched?.path !== path) {
      let fire!: () => void;
      const fired = new Promise<void>((resolve) => { fire = resolve; });
      watched = { path, fired };
      if (!(await s.exists(path, () => fire()))) return;
    }
    await Promise.race([watched.fired, sleep(ms)]);
  };
}

async function acquire(s: Session, dir: string, w: Worker): Promise<{ done: Completion; node: string }> {
  const node = (await s.create(`${dir}/lock-`, '', CreateMode.EPHEMERAL_SEQUENTIAL)).split('/').pop()!;
  const change = watcher(s);
  for (;;) {
    if (w.stopped()) {
      // The run is over: stop waiting, and leave the lock to whoever is still in line.
      await s.remove(`${dir}/${node}`);
      return { done: { type: 'fail', error: 'the run ended while waiting' }, node };
    }
    const now = () => w.now();
    const heard = now();
    const children = (await s.getChildren(dir)).sort();
    const i = children.indexOf(node);
    if (i < 0) throw new Error('this client\'s lock node is gone (its session ended)');
    if (i === 0) return { done: { type: 'ok', value: node, heard }, node };
    await change(`${dir}/${children[i - 1]}`, 1000);
  }
}

export function lockWorkload(): WorkloadRun {
  let dir = '';
  return {
    async setup(admin, root) {
      dir = `${root}/lock`;
      await admin.create(dir, '', CreateMode.PERSISTENT);
      return {};
    },
    async step(w: Worker, random) {
      let node = '';
      const got = await w.perform({ f: 'acquire' }, async (s) => {
        const r = await acquire(s, dir, w);
        node = r.node;
        return r.done;
      }, 15_000);
      // An acquisition that ended without an answer may have left a node of this session
      // behind, which its own next attempt would wait for: start again with a new session.
      if (got?.outcome === 'info') w.drop();
      if (got?.outcome !== 'ok') return;
      await sleep(50 + random() * 200);
      const released = await w.perform({ f: 'release', value: node }, async (s) => { await s.remove(`${dir}/${node}`); return { type: 'ok' }; });
      if (released && released.outcome !== 'ok') w.drop();
    },
    async finish() {
      // Nothing to read back: the invariant is about the holders during the run.
    },
  };
}
