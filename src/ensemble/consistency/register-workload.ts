/**
 * The register workload: a few keys (znodes), each read (plain getData, or a sync read: a
 * multi with a check op first), written with a unique value, or compare-and-set (setData with
 * the version this client last saw of that key, so some succeed and some fail on a race).
 * At the end, one sync read of every key, which catches an acknowledged write that was lost.
 */
import { CreateMode } from '../../edge/zkclient.js';
import type { WorkloadRun } from './workload.js';
import type { Result, Worker } from './worker.js';

const INITIAL = 'init';

export function registerWorkload(keyCount = 3): WorkloadRun {
  let keys: string[] = [];
  let written = 0;
  /** Per client, the newest version of each key it has seen: what its CAS expects. */
  const seen = new Map<number, Map<string, number>>();
  const learn = (w: Worker, key: string, r: Result | undefined) => {
    if (r?.outcome !== 'ok' || r.version === undefined) return;
    const mine = seen.get(w.client) ?? new Map<string, number>();
    seen.set(w.client, mine);
    mine.set(key, Math.max(mine.get(key) ?? 0, r.version));
  };
  const read = async (w: Worker, key: string, sync: boolean) =>
    learn(w, key, await w.perform({ f: 'read', key, sync: sync || undefined }, async (s) => {
      const r = sync ? await s.syncReadFacts(key) : await s.readFacts(key);
      return { type: 'ok', value: r.data, version: r.version, mzxid: r.mzxid };
    }));
  return {
    async setup(admin, root) {
      keys = Array.from({ length: keyCount }, (_, i) => `${root}/r${i}`);
      for (const k of keys) await admin.create(k, INITIAL, CreateMode.PERSISTENT);
      return { initial: Object.fromEntries(keys.map((k) => [k, { value: INITIAL, version: 0 }])) };
    },
    async step(w, random) {
      const key = keys[Math.floor(random() * keys.length)]!;
      const roll = random();
      if (roll < 0.5) return read(w, key, roll < 0.15);
      const value = `w${++written}`;
      if (roll < 0.75) {
        learn(w, key, await w.perform({ f: 'write', key, value }, async (s) => {
          const stat = await s.setDataIf(key, value, -1);
          return { type: 'ok', ...stat };
        }));
        return;
      }
      const expect = seen.get(w.client)?.get(key) ?? 0;
      learn(w, key, await w.perform({ f: 'cas', key, value, expect }, async (s) => {
        const stat = await s.setDataIf(key, value, expect);
        return { type: 'ok', ...stat };
      }));
    },
    async finish(final) {
      for (const k of keys) await read(final, k, true);
    },
  };
}
