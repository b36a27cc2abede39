/**
 * `check`: proves the ensemble serves, with a real client. Each step is named, timed and
 * reported; the first failure stops the run (later steps depend on earlier ones) and cleanup
 * still happens.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../../edge/zkwire/session.js';
import { CreateFlags, EventType } from '../../edge/zkwire/records.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { clientSecurity, openSession, type ClientSecurity } from '../security/client.js';
import { clientEndpoint } from '../security/endpoints.js';
import { explainClientFailure } from '../security/diagnose.js';
import { probeEnsemble } from './probe.js';
import type { EnsemblePaths } from '../store/layout.js';

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

/** Runs every check against the ensemble; `onStep` sees each step as it finishes. */
export async function checkEnsemble(paths: EnsemblePaths, spec: EnsembleSpec, onStep?: (s: CheckStep) => void, signal?: AbortSignal): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const sessions: Session[] = [];
  const created: string[] = [];
  const root = `/zkpseudo-check-${randomBytes(4).toString('hex')}`;
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
    let targets: Member[] = [];
    let security: ClientSecurity = {};
    await run('find serving servers', async () => {
      const status = await probeEnsemble(paths, spec);
      const serving = new Set(status.servers.filter((s) => SERVING.has(s.role)).map((s) => s.id));
      targets = spec.members.filter((m) => serving.has(m.id));
      if (status.health.state === 'no-quorum' || !targets.length) throw new Error(status.health.summary);
      security = await clientSecurity(paths, spec);
      return `servers ${targets.map((t) => t.id).join(', ')} (${status.health.state})`;
    });
    const first = targets[0]!;
    const rest = targets.slice(1);
    const open = async (m: Member): Promise<Session> => {
      // Log lines are stamped to the millisecond; a second's slack covers the clock's rounding.
      const since = Date.now() - 1000;
      try {
        return await openSession(paths, spec, m, { security, connectTimeoutMs: 8000 });
      } catch (err) {
        // A refused handshake or login is named from the server's own log, not left as a timeout.
        throw await explainClientFailure(paths, spec, m, err, since);
      }
    };
    const how = (m: Member, s: Session) => {
      const e = clientEndpoint(spec, m);
      return `session 0x${s.sessionId.toString(16)} on port ${e.port}${e.tls ? ' over TLS' : ''}${s.user ? `, SASL user "${s.user}"` : ''}`;
    };
    const writer = await (async () => {
      let s!: Session;
      await run(`connect to server ${first.id}`, async () => {
        s = await open(first);
        sessions.push(s);
        return how(first, s);
      });
      return s;
    })();
    const readers: { id: number; s: Session }[] = [];
    for (const t of rest) {
      await run(`connect to server ${t.id}`, async () => {
        const s = await open(t);
        sessions.push(s);
        readers.push({ id: t.id, s });
        return how(t, s);
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
      const stat = await op(writer.exists(ephemeral), 'exists');
      if (!stat || stat.ephemeralOwner === 0n) throw new Error('the node has no ephemeral owner');
      return ephemeral;
    });
    await run('create ephemeral-sequential znode (flags 3)', async () => {
      ephemeralSeq = await op(writer.create(`${root}/ephseq-`, 'e', { flags: CreateFlags.ephemeralSequential }), 'create');
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
      const s = sessions[0];
      if (!s) return 'nothing to clean';
      for (const path of [...created].reverse()) await op(s.delete(path).catch(() => undefined), 'delete');
      return `deleted ${root}`;
    });
  } catch {
    // The failing step is already recorded; fall through to cleanup.
    const s = sessions[0];
    if (s) for (const path of [...created].reverse()) await withTimeout(s.delete(path), 3000, 'delete').catch(() => undefined);
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  }
  return { ok: steps.every((s) => s.ok) && steps.length > 0, steps };
}
