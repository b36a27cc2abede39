// How a worker records outcomes: ok as answered; `fail` only for a server's definite "it did
// not happen"; everything else indeterminate — a lost connection, an expired session (the
// session is given up), no answer within the session timeout (given up too, and the next
// operation opens a new session), and an interrupted dequeue keeps the element it was taking.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/edge/zkclient.js';
import { Recorder } from '../../src/ensemble/consistency/recorder.js';
import { Attempt, Worker } from '../../src/ensemble/consistency/worker.js';

const zkError = (name: string, code: number) => Object.assign(new Error(name), { name, code });

function fakeSessions() {
  const made: { id: string; abandoned: boolean; closed: boolean }[] = [];
  const open = async () => {
    const rec = { id: `0x${made.length + 1}`, abandoned: false, closed: false };
    made.push(rec);
    const client = new EventEmitter();
    return {
      client, sessionId: () => rec.id, sessionTimeoutMs: () => 50, serverPort: () => 2182,
      abandon: () => { rec.abandoned = true; }, close: () => { rec.closed = true; },
    } as unknown as Session;
  };
  return { made, open: open as unknown as NonNullable<ConstructorParameters<typeof Worker>[0]['connect']> };
}

function worker() {
  const recorder = new Recorder();
  const sessions = fakeSessions();
  const w = new Worker({ client: 1, address: 'x', pinned: null, serverOf: (p) => (p === 2182 ? 2 : null), recorder, stopped: () => false, sessionTimeoutMs: 50, connect: sessions.open });
  return { w, recorder, sessions };
}

describe('a worker records each outcome conservatively', () => {
  it('ok as answered, BAD_VERSION as failed, CONNECTION_LOSS as indeterminate', async () => {
    const { w, recorder } = worker();
    await w.perform({ f: 'write', key: '/k', value: 'a' }, async () => ({ type: 'ok', version: 1, mzxid: '0x5' }));
    await w.perform({ f: 'cas', key: '/k', value: 'b', expect: 0 }, async () => { throw zkError('BAD_VERSION', -103); });
    await w.perform({ f: 'write', key: '/k', value: 'c' }, async () => { throw zkError('CONNECTION_LOSS', -4); });
    const done = recorder.events.filter((e) => e.type !== 'invoke' && e.type !== 'session');
    expect(done.map((e) => [e.type, 'error' in e ? e.error : undefined])).toEqual([['ok', undefined], ['fail', 'BAD_VERSION'], ['info', 'CONNECTION_LOSS']]);
    const invokes = recorder.events.filter((e) => e.type === 'invoke');
    expect(invokes.every((e) => e.type === 'invoke' && e.session === '0x1' && e.server === 2)).toBe(true);
  });

  it('no answer within the session timeout: indeterminate, the session given up, the next operation on a new one', async () => {
    const { w, recorder, sessions } = worker();
    const r = await w.perform({ f: 'read', key: '/k' }, () => new Promise(() => undefined));
    expect(r).toMatchObject({ outcome: 'info' });
    expect(sessions.made[0]!.abandoned).toBe(true);
    await w.perform({ f: 'read', key: '/k' }, async () => ({ type: 'ok', value: 'a', version: 1 }));
    expect(sessions.made.map((s) => s.id)).toEqual(['0x1', '0x2']);
    expect(recorder.events.filter((e) => e.type === 'session').map((e) => e.type === 'session' && `${e.session} ${e.event}`)).toEqual(['0x1 open', '0x1 abandoned', '0x2 open']);
    expect(recorder.events.find((e) => e.type === 'info')).toMatchObject({ error: 'no answer within 50 ms' });
  });

  it('an expired session is indeterminate and given up; an interrupted dequeue names the element it was taking', async () => {
    const { w, recorder, sessions } = worker();
    await w.perform({ f: 'write', key: '/k', value: 'a' }, async () => { throw zkError('SESSION_EXPIRED', -112); });
    expect(sessions.made[0]!.abandoned).toBe(true);
    await w.perform({ f: 'dequeue' }, async () => { throw new Attempt(zkError('CONNECTION_LOSS', -4), 'e7'); });
    expect(recorder.events.filter((e) => e.type === 'info')).toMatchObject([{ error: 'SESSION_EXPIRED' }, { error: 'CONNECTION_LOSS', value: 'e7' }]);
  });

  it('records on one clock, in order', () => {
    let now = 1000;
    const r = new Recorder(() => now);
    now = 1000.0004;
    const op = r.invoke({ client: 1, session: '0x1', server: 1, f: 'read', key: '/k' });
    now = 1012.3456;
    r.complete(op, 'ok', { value: 'a' });
    expect(r.events).toEqual([
      { type: 'invoke', op: 1, t: 0, client: 1, session: '0x1', server: 1, f: 'read', key: '/k' },
      { type: 'ok', op: 1, t: 12.346, value: 'a' },
    ]);
  });
});
