/**
 * `check`: proves the ensemble serves, with a real client. Each step is named, timed and
 * reported; the first failure stops the run (later steps depend on earlier ones) and cleanup
 * still happens.
 */
import { randomBytes } from 'node:crypto';
import { connect, CreateMode, EventType, type Session } from '../../edge/zkclient.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { RemoteStatus } from '../remote/probe.js';
import type { EnsembleStatus } from './probe.js';
import type { EnsemblePaths } from '../store/layout.js';
import { localTarget, type Target } from './target.js';

export interface CheckStep {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface CheckResult {
  ok: boolean;
  steps: CheckStep[];
}

const SERVING = new Set(['leader', 'follower', 'observer', 'standalone']);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/** Runs every check against a local ensemble; `onStep` sees each step as it finishes. */
export function checkEnsemble(paths: EnsemblePaths, spec: EnsembleSpec, onStep?: (s: CheckStep) => void, signal?: AbortSignal): Promise<CheckResult> {
  return checkTarget(localTarget(paths, spec), onStep, signal);
}

/** Runs every check against any ensemble (a local one, or one by --connect); `onStep` sees each step as it finishes. */
export async function checkTarget<S extends EnsembleStatus | RemoteStatus>(target: Target<S>, onStep?: (s: CheckStep) => void, signal?: AbortSignal): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const sessions: Session[] = [];
  const created: string[] = [];
  const root = `/zkpseudo-check-${randomBytes(4).toString('hex')}`;
  const marker = `${root}/sync`;
  const run = async (name: string, fn: () => Promise<string>): Promise<void> => {
    // Interrupted: stop before the next step; the znodes made so far are still removed below.
    if (signal?.aborted) throw new Error('interrupted');
    const start = Date.now();
    try {
      const detail = await fn();
      const s = { name, ok: true, detail, ms: Date.now() - start };
      steps.push(s);
      onStep?.(s);
    } catch (err) {
      const s = { name, ok: false, detail: (err as Error).message ?? String(err), ms: Date.now() - start };
      steps.push(s);
      onStep?.(s);
      throw err;
    }
  };
  try {
    let targets: { id: number; address: string }[] = [];
    await run('find serving servers', async () => {
      const status = await target.probe();
      targets = (status.servers as S['servers'][number][]).filter((s) => SERVING.has(s.role)).map((s) => ({ id: s.id, address: target.clientAddress(s) }));
      if (status.health.state === 'no-quorum' || !targets.length) throw new Error(status.health.summary);
      return `servers ${targets.map((t) => t.id).join(', ')} (${status.health.state})`;
    });
    const first = targets[0]!;
    const rest = targets.slice(1);
    const writer = await (async () => {
      let s!: Session;
      await run(`connect to server ${first.id}`, async () => {
        s = await connect(first.address, 8000);
        sessions.push(s);
        return `session 0x${s.client.getSessionId().toString('hex')}`;
      });
      return s;
    })();
    const readers: { id: number; s: Session }[] = [];
    for (const t of rest) {
      await run(`connect to server ${t.id}`, async () => {
        const s = await connect(t.address, 8000);
        sessions.push(s);
        readers.push({ id: t.id, s });
        return `session 0x${s.client.getSessionId().toString('hex')}`;
      });
    }
    const op = <T>(p: Promise<T>, what: string) => withTimeout(p, 8000, what);

    await run('create persistent znode (flags 0, world:anyone 0x1f)', async () => {
      const path = await op(writer.create(root, 'zkpseudo', CreateMode.PERSISTENT), 'create');
      created.push(path);
      const acl = await op(writer.getAcl(path), 'getACL');
      const a = acl[0];
      if (acl.length !== 1 || !a || a.id.scheme !== 'world' || a.id.id !== 'anyone' || a.permission !== 0x1f) {
        throw new Error(`ACL is ${JSON.stringify(acl)}, not world:anyone perms 0x1f`);
      }
      // Readers write this node to catch up with the leader (see Session.catchUp).
      created.push(await op(writer.create(marker, '', CreateMode.PERSISTENT), 'create'));
      return path;
    });
    await run('create sequential znode (flags 2)', async () => {
      const path = await op(writer.create(`${root}/seq-`, 's', CreateMode.PERSISTENT_SEQUENTIAL), 'create');
      created.push(path);
      if (!/\/seq-\d{10}$/.test(path)) throw new Error(`${path} has no 10-digit sequence suffix`);
      return path;
    });
    let ephemeral = '';
    let ephemeralSeq = '';
    await run('create ephemeral znode (flags 1)', async () => {
      ephemeral = await op(writer.create(`${root}/eph`, 'e', CreateMode.EPHEMERAL), 'create');
      const stat = await op(writer.exists(ephemeral), 'exists');
      if (!stat || stat.ephemeralOwner.equals(Buffer.alloc(8))) throw new Error('the node has no ephemeral owner');
      return ephemeral;
    });
    await run('create ephemeral-sequential znode (flags 3)', async () => {
      ephemeralSeq = await op(writer.create(`${root}/ephseq-`, 'e', CreateMode.EPHEMERAL_SEQUENTIAL), 'create');
      if (!/\/ephseq-\d{10}$/.test(ephemeralSeq)) throw new Error(`${ephemeralSeq} has no sequence suffix`);
      return ephemeralSeq;
    });
    const value = `written through server ${first.id} at ${Date.now()}`;
    await run(`set data through server ${first.id}`, async () => {
      await op(writer.setData(root, value), 'setData');
      return `${value.length} bytes`;
    });
    for (const r of readers) {
      await run(`read it through server ${r.id}`, async () => {
        await op(r.s.catchUp(marker), 'catch up');
        const { data } = await op(r.s.getData(root), 'getData');
        if (data !== value) throw new Error(`read "${data}", expected "${value}"`);
        return 'same data';
      });
    }
    const watcher = readers[0] ?? { id: first.id, s: writer };
    await run(`watch through server ${watcher.id} fires on a change through server ${first.id}`, async () => {
      const fired = new Promise<{ type: number; path: string }>((resolve) => {
        void op(watcher.s.getData(root, (e) => resolve({ type: e.getType(), path: e.getPath() })), 'getData with watch');
      });
      await new Promise((r) => setTimeout(r, 50));
      await op(writer.setData(root, `${value} (changed)`), 'setData');
      const event = await withTimeout(fired, 8000, 'watch event');
      if (event.type !== EventType.NODE_DATA_CHANGED || event.path !== root) throw new Error(`got event type ${event.type} on ${event.path}`);
      return `NODE_DATA_CHANGED on ${event.path}`;
    });
    await run(`ephemeral znodes go when their session closes`, async () => {
      const observer = readers[0]?.s;
      writer.close();
      sessions.splice(sessions.indexOf(writer), 1);
      if (!observer) return 'closed (single server: nothing else to look through)';
      const deadline = Date.now() + 8000;
      for (;;) {
        await op(observer.catchUp(marker), 'catch up');
        const [a, b] = await Promise.all([op(observer.exists(ephemeral), 'exists'), op(observer.exists(ephemeralSeq), 'exists')]);
        if (!a && !b) return `${ephemeral} and ${ephemeralSeq} are gone`;
        if (Date.now() > deadline) throw new Error('ephemeral znodes still exist 8 s after their session closed');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await run('clean up', async () => {
      const s = sessions[0];
      if (!s) return 'nothing to clean';
      for (const path of [...created].reverse()) await op(s.remove(path).catch(() => undefined), 'delete');
      return `deleted ${root}`;
    });
  } catch {
    // The failing step is already recorded; fall through to cleanup.
    const s = sessions[0];
    if (s) for (const path of [...created].reverse()) await withTimeout(s.remove(path), 3000, 'delete').catch(() => undefined);
  } finally {
    for (const s of sessions) s.close();
  }
  return { ok: steps.every((s) => s.ok) && steps.length > 0, steps };
}
