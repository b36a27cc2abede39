// The queue and lock checks can fail: a lost element, an element delivered twice, a phantom,
// two lock holders at once — each caught and explained; correct histories pass, including a
// lock taken over after the first holder's session lease ran out. And histories round-trip
// through NDJSON, whose decoding names every problem with its line.
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/ensemble/consistency/check/checker.js';
import { historyToNdjson, parseHistory } from '../../src/ensemble/consistency/check/history-ndjson.js';
import { syntheticRegisterHistory } from '../../src/ensemble/consistency/check/synthetic.js';
import { HistoryBuilder } from '../helpers/histories.js';

const only = (b: HistoryBuilder) => checkHistory(b.build()).properties;

describe('queue', () => {
  const enqueue = (b: HistoryBuilder, c: number, v: string, t: number, outcome: 'ok' | 'info' = 'ok') => b.op(c, 'enqueue', t, t + 5, { value: v }, { outcome });
  const dequeue = (b: HistoryBuilder, c: number, v: string, t: number, outcome: 'ok' | 'info' = 'ok') => b.op(c, 'dequeue', t, t + 5, {}, { outcome, value: v });
  const drain = (b: HistoryBuilder, left: string[], t = 1000) => b.op(9, 'drain', t, t + 5, {}, { value: left });

  it('passes when every acknowledged element is delivered once or left, and an indeterminate dequeue may have taken one', () => {
    const b = new HistoryBuilder('queue');
    enqueue(b, 1, 'e1', 0); enqueue(b, 1, 'e2', 10); enqueue(b, 2, 'e3', 20); enqueue(b, 2, 'e4', 25, 'info');
    dequeue(b, 3, 'e1', 30); dequeue(b, 3, 'e2', 40, 'info');
    drain(b, ['e3']);
    expect(checkHistory(b.build()).valid).toBe(true);
  });

  it('a lost element, an element delivered twice, and one delivered that was never enqueued', () => {
    const b = new HistoryBuilder('queue');
    const lost = enqueue(b, 1, 'e1', 0);
    enqueue(b, 1, 'e2', 10);
    const d1 = dequeue(b, 2, 'e2', 20);
    const d2 = dequeue(b, 3, 'e2', 22);
    const ghost = dequeue(b, 3, 'zz', 40);
    const end = drain(b, []);
    const [loss, dup, phantom] = only(b);
    expect(loss!.violations.map((v) => v.explanation)).toEqual([`element "e1", enqueued with an acknowledgement by #${lost}, was lost: no dequeue delivered it and the final drain #${end} did not find it`]);
    expect(dup!.violations[0]!.explanation).toBe(`element "e2" was delivered 2 times: #${d1} (client 2), #${d2} (client 3)`);
    expect(phantom!.violations[0]!.explanation).toBe(`#${ghost} delivered "zz", which no operation enqueued`);
  });

  it('an element delivered although its enqueue failed, and one delivered before its enqueue began', () => {
    const b = new HistoryBuilder('queue');
    b.op(1, 'enqueue', 0, 5, { value: 'e1' }, { outcome: 'fail', error: 'NODE_EXISTS' });
    dequeue(b, 2, 'e1', 10);
    dequeue(b, 2, 'e2', 20);
    enqueue(b, 1, 'e2', 100);
    drain(b, []);
    expect(only(b)[2]!.violations.map((v) => v.kind)).toEqual(['failed-enqueue', 'from-the-future']);
  });

  it('an element whose delete was acknowledged but that is still queued at the end', () => {
    const b = new HistoryBuilder('queue');
    enqueue(b, 1, 'e1', 0);
    dequeue(b, 2, 'e1', 10);
    drain(b, ['e1']);
    expect(only(b)[0]!.violations[0]!.kind).toBe('undeleted-element');
  });

  it('without a final drain, loss is unknown rather than passed', () => {
    const b = new HistoryBuilder('queue');
    enqueue(b, 1, 'e1', 0);
    b.op(9, 'drain', 100, 105, {}, { outcome: 'info', error: 'CONNECTION_LOSS' });
    const r = checkHistory(b.build());
    expect(r.valid).toBe('unknown');
    expect(r.properties[0]!.detail).toMatch(/final drain did not complete \(CONNECTION_LOSS\)/);
  });
});

describe('lock', () => {
  const session = (b: HistoryBuilder, client: number, t: number, timeoutMs: number) =>
    b.raw({ type: 'session', t, client, session: `0x${client}`, event: 'open', server: client, timeoutMs });
  const acquire = (b: HistoryBuilder, c: number, t: number, ret: number, heard = ret - 1) => b.op(c, 'acquire', t, ret, {}, { value: `lock-${c}`, heard });
  const release = (b: HistoryBuilder, c: number, t: number) => b.op(c, 'release', t, t + 5);

  it('one holder after another passes', () => {
    const b = new HistoryBuilder('lock');
    session(b, 1, 0, 4000); session(b, 2, 0, 4000);
    acquire(b, 1, 10, 20); release(b, 1, 300);
    acquire(b, 2, 15, 320); release(b, 2, 500);
    expect(checkHistory(b.build()).valid).toBe(true);
  });

  it('two holders at once are caught', () => {
    const b = new HistoryBuilder('lock');
    session(b, 1, 0, 4000); session(b, 2, 0, 4000);
    acquire(b, 1, 10, 20); release(b, 1, 300);
    const second = acquire(b, 2, 15, 200); release(b, 2, 500);
    const v = only(b)[0]!.violations[0]!;
    expect(v.kind).toBe('two-holders');
    expect(v.explanation).toBe(`two clients held the lock at once: client 1 (session 0x1) held it from +0.020 s until +0.300 s (release #2 began), and client 2 (session 0x2) acquired it at +0.200 s (#${second})`);
  });

  it('a holder cut off past its session timeout has lost its lease: another taking the lock then is correct', () => {
    const b = new HistoryBuilder('lock');
    session(b, 1, 0, 400); session(b, 2, 0, 4000);
    acquire(b, 1, 10, 20, 12);
    acquire(b, 2, 15, 500);
    release(b, 1, 2000);
    release(b, 2, 2100);
    expect(checkHistory(b.build()).valid).toBe(true);
  });
});

describe('history files', () => {
  it('round-trip through NDJSON', () => {
    const h = syntheticRegisterHistory({ ops: 300, seed: 4, infoRate: 0.05 });
    const again = parseHistory(historyToNdjson(h), 'h.ndjson');
    expect(again).toEqual({ ...h, events: [...h.events].sort((a, b) => a.t - b.t) });
    expect(checkHistory(again)).toMatchObject({ valid: true, operations: { total: 300 } });
  });

  it('every problem is named with its line, and nothing is judged', () => {
    const h = syntheticRegisterHistory({ ops: 3, seed: 4 });
    const lines = historyToNdjson(h).trim().split('\n');
    lines[2] = '{"type":"invoke","op":"x","t":1}';
    lines.push('not json', '{"type":"nap","t":3}');
    expect(() => parseHistory(lines.join('\n'), 'h.ndjson')).toThrow(/h\.ndjson is not a zkpseudo history: 7 problems:\n {2}h\.ndjson:3: op: "x" is not an operation number\n {2}h\.ndjson:3: client: missing/);
    expect(() => parseHistory('{"type":"invoke"}\n', 'h.ndjson')).toThrow(/h\.ndjson:1: the first line must be the meta line/);
    expect(() => parseHistory('', 'empty.ndjson')).toThrow(/empty\.ndjson: is empty/);
  });
});
