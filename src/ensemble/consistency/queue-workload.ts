/**
 * The queue workload, ZooKeeper's queue recipe: enqueue a unique element as a
 * persistent-sequential child of the queue node; dequeue by listing the children and deleting
 * the lowest one this client can (another consumer may take it first: NO_NODE, try the next).
 * Elements are persistent, not ephemeral: an ephemeral element would vanish with its producer's
 * session, which the faults end on purpose, and "lost" would then be ZooKeeper's documented
 * behaviour rather than a fault. At the end, a drain (synced with the leader first) lists what
 * is left.
 */
import { CreateMode, zkErrorName, type Session } from '../../edge/zkclient.js';
import { Attempt, type Completion } from './worker.js';
import type { WorkloadRun } from './workload.js';

/** The lowest child this session can take: its data, once its delete is acknowledged. */
async function takeOne(s: Session, queue: string): Promise<Completion> {
  const children = (await s.getChildren(queue)).sort();
  for (const child of children.slice(0, 8)) {
    const path = `${queue}/${child}`;
    let data: string;
    try {
      data = (await s.getData(path)).data;
    } catch (err) {
      if (zkErrorName(err) === 'NO_NODE') continue;
      throw err;
    }
    try {
      await s.remove(path);
      return { type: 'ok', value: data };
    } catch (err) {
      if (zkErrorName(err) === 'NO_NODE') continue;
      // The delete may or may not have happened: this element may be taken.
      throw new Attempt(err, data);
    }
  }
  return { type: 'fail', error: children.length ? 'every element taken by others first' : 'empty' };
}

export function queueWorkload(): WorkloadRun {
  let queue = '';
  let made = 0;
  return {
    async setup(admin, root) {
      queue = `${root}/queue`;
      await admin.create(queue, '', CreateMode.PERSISTENT);
      return {};
    },
    async step(w, random) {
      if (random() < 0.5) {
        const value = `e${++made}`;
        await w.perform({ f: 'enqueue', value }, async (s) => ({ type: 'ok', value: await s.create(`${queue}/e-`, value, CreateMode.PERSISTENT_SEQUENTIAL) }));
      } else {
        await w.perform({ f: 'dequeue' }, (s) => takeOne(s, queue));
      }
    },
    async finish(final) {
      await final.perform({ f: 'drain' }, async (s) => {
        // Synced first: a server still behind could miss an element, or show one already taken.
        await s.sync(queue);
        const left: string[] = [];
        for (const child of (await s.getChildren(queue)).sort()) left.push((await s.getData(`${queue}/${child}`)).data);
        return { type: 'ok', value: left };
      }, 30_000);
    },
  };
}
