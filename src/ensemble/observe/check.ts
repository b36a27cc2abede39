/**
 * `check`: proves the ensemble serves, with a real client. Each step is named, timed and
 * reported; the first failure stops the run (later steps depend on earlier ones) and cleanup
 * still happens. An abort (Ctrl-C in the CLI) ends the step under way at once and cleans up
 * too: every znode it made, ephemerals included, is deleted before it returns.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../../edge/zkwire/session.js';
import { ZkWireError } from '../../edge/zkwire/errors.js';
import { CreateFlags, EventType } from '../../edge/zkwire/records.js';
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

/** True for ZooKeeper's "no such znode" (what deleting an already deleted node gives). */
function isNoNode(err: unknown): boolean {
  return err instanceof ZkWireError && err.code === -101;
}

/**
 * Runs every check against any ensemble (a local one, or one by --connect); `onStep` sees each
 * step as it finishes. Sessions are zkpseudo's own client's (see Target.open): over TLS and
 * with SASL on a secured local ensemble, below the chroot of a connect string.
 */
export async function checkTarget<S extends EnsembleStatus | RemoteStatus>(target: Target<S>, onStep?: (s: CheckStep) => void, signal?: AbortSignal): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const sessions: Session[] = [];
  const created: string[] = [];
  const root = `/zkpseudo-check-${randomBytes(4).toString('hex')}`;
  // Rejects when `signal` aborts, so the step under way is abandoned at once (its znodes are
  // still removed below); a no-op handler keeps an unawaited rejection quiet.
  const interrupted = new Promise<never>((_, reject) => {
    const fire = () => reject(new Error('interrupted'));
    if (signal?.aborted) fire();
    else signal?.addEventListener('abort', fire, { once: true });
  });
  interrupted.catch(() => undefined);
  let targets: { id: number; server: S['servers'][number] }[] = [];
  /** Deletes every znode made, newest first (children before parents); returns those it could not. */
  const removeCreated = async (): Promise<string[]> => {
    if (!created.length) return [];
    let s = sessions[0];
    // The writer's session may be closed already (it must be, to see ephemerals go): a new one
    // does, with the first serving server that takes it.
    let own: Session | undefined;
    for (const t of s ? [] : targets) {
      own = await target.open(t.server, 5000).catch(() => undefined);
      if (own) break;
    }
    s ??= own;
    const left: string[] = [];
    try {
      for (const path of [...created].reverse()) {
        if (!s) { left.push(path); continue; }
        await withTimeout(s.delete(path), 3000, 'delete').catch((err: unknown) => { if (!isNoNode(err)) left.push(path); });
      }
    } finally {
      await own?.close();
    }
    return left;
  };
  /** The step under way: abandoned on an abort, but a create it sent may still land. */
  let inFlight: Promise<unknown> = Promise.resolve();
  const run = async (name: string, fn: () => Promise<string>): Promise<void> => {
    if (signal?.aborted) throw new Error('interrupted');
    const start = Date.now();
    try {
      const step = fn();
      inFlight = step.catch(() => undefined);
      const detail = await Promise.race([step, interrupted]);
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
    await run('find serving servers', async () => {
      const status = await target.probe();
      targets = (status.servers as S['servers'][number][]).filter((s) => SERVING.has(s.role)).map((s) => ({ id: s.id, server: s }));
      if (status.health.state === 'no-quorum' || !targets.length) throw new Error(status.health.summary);
      return `servers ${targets.map((t) => t.id).join(', ')} (${status.health.state})`;
    });
    const first = targets[0]!;
    const rest = targets.slice(1);
    const how = (s: Session) => {
      const where = target.kind === 'local' ? `port ${s.server.slice(s.server.lastIndexOf(':') + 1)}` : s.server;
      return `session 0x${s.sessionId.toString(16)} on ${where}${s.secure ? ' over TLS' : ''}${s.user ? `, SASL user "${s.user}"` : ''}`;
    };
    const writer = await (async () => {
      let s!: Session;
      await run(`connect to server ${first.id}`, async () => {
        s = await target.open(first.server, 8000);
        sessions.push(s);
        return how(s);
      });
      return s;
    })();
    const readers: { id: number; s: Session }[] = [];
    for (const t of rest) {
      await run(`connect to server ${t.id}`, async () => {
        const s = await target.open(t.server, 8000);
        sessions.push(s);
        readers.push({ id: t.id, s });
        return how(s);
      });
    }
    const op = <T>(p: Promise<T>, what: string) => withTimeout(p, 8000, what);

    await run('create persistent znode (flags 0, world:anyone 0x1f)', async () => {
      const path = await op(writer.create(root, 'zkpseudo', { flags: CreateFlags.persistent }), 'create');
      created.push(path);
      const { acl } = await op(writer.getAcl(path), 'getACL');
      const a = acl[0];
      if (acl.length !== 1 || !a || a.scheme !== 'world' || a.id !== 'anyone' || a.perms !== 0x1f) {
        throw new Error(`ACL is ${JSON.stringify(acl)}, not world:anyone perms 0x1f`);
      }
      return path;
    });
    await run('create sequential znode (flags 2)', async () => {
      const path = await op(writer.create(`${root}/seq-`, 's', { flags: CreateFlags.persistentSequential }), 'create');
      created.push(path);
      if (!/\/seq-\d{10}$/.test(path)) throw new Error(`${path} has no 10-digit sequence suffix`);
      return path;
    });
    let ephemeral = '';
    let ephemeralSeq = '';
    await run('create ephemeral znode (flags 1)', async () => {
      ephemeral = await op(writer.create(`${root}/eph`, 'e', { flags: CreateFlags.ephemeral }), 'create');
      // Deleted at cleanup too: while its session lives, it keeps the parent from being deleted.
      created.push(ephemeral);
      const stat = await op(writer.exists(ephemeral), 'exists');
      if (!stat || stat.ephemeralOwner === 0n) throw new Error('the node has no ephemeral owner');
      return ephemeral;
    });
    await run('create ephemeral-sequential znode (flags 3)', async () => {
      ephemeralSeq = await op(writer.create(`${root}/ephseq-`, 'e', { flags: CreateFlags.ephemeralSequential }), 'create');
      created.push(ephemeralSeq);
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
        // sync makes this server apply every write the leader committed before it answers.
        await op(r.s.sync(root), 'sync');
        const data = (await op(r.s.getData(root), 'getData')).data.toString('utf8');
        if (data !== value) throw new Error(`read "${data}", expected "${value}"`);
        return 'same data after sync';
      });
    }
    const watcher = readers[0] ?? { id: first.id, s: writer };
    await run(`watch through server ${watcher.id} fires on a change through server ${first.id}`, async () => {
      const fired = new Promise<{ type: number; path: string }>((resolve) => {
        void op(watcher.s.getData(root, (e) => resolve({ type: e.type, path: e.path })), 'getData with watch');
      });
      await new Promise((r) => setTimeout(r, 50));
      await op(writer.setData(root, `${value} (changed)`), 'setData');
      const event = await withTimeout(fired, 8000, 'watch event');
      if (event.type !== EventType.dataChanged || event.path !== root) throw new Error(`got event type ${event.type} on ${event.path}`);
      return `NODE_DATA_CHANGED on ${event.path}`;
    });
    await run(`ephemeral znodes go when their session closes`, async () => {
      const observer = readers[0]?.s;
      await writer.close();
      sessions.splice(sessions.indexOf(writer), 1);
      if (!observer) return 'closed (single server: nothing else to look through)';
      const deadline = Date.now() + 8000;
      for (;;) {
        await op(observer.sync(root), 'sync');
        const [a, b] = await Promise.all([op(observer.exists(ephemeral), 'exists'), op(observer.exists(ephemeralSeq), 'exists')]);
        if (!a && !b) return `${ephemeral} and ${ephemeralSeq} are gone`;
        if (Date.now() > deadline) throw new Error('ephemeral znodes still exist 8 s after their session closed');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await run('clean up', async () => {
      if (!created.length) return 'nothing to clean';
      const left = await removeCreated();
      if (left.length) throw new Error(`could not delete ${left.join(', ')}`);
      return `deleted ${root}`;
    });
  } catch {
    // The failing (or interrupted) step is already recorded; clean up, and say if that failed.
    const cleaning = steps.at(-1)?.name === 'clean up';
    const start = Date.now();
    // An abandoned step's request may still be answered (a create landing after cleanup would
    // be left behind): give it a moment to settle first. A server that hangs is not waited out.
    if (signal?.aborted) await Promise.race([inFlight, new Promise((r) => setTimeout(r, 1500))]);
    const left = cleaning ? [] : await removeCreated();
    if (left.length) {
      const s = { name: 'clean up', ok: false, detail: `could not delete ${left.join(', ')}`, ms: Date.now() - start };
      steps.push(s);
      onStep?.(s);
    }
  } finally {
    // Bounded: a server paused or gone mid-check does not hold the command up.
    await Promise.all(sessions.map((s) => s.close(1000).catch(() => undefined)));
  }
  return { ok: steps.every((s) => s.ok) && steps.length > 0, steps };
}
