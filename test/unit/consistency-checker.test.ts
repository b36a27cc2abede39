// The register checker can fail: hand-made non-linearizable histories are each caught with the
// right explanation, linearizable ones (made by a simulated ZooKeeper) pass, and stale plain
// reads pass under ZooKeeper's documented rule but not when reads must be linearizable.
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/ensemble/consistency/check/checker.js';
import { syntheticRegisterHistory } from '../../src/ensemble/consistency/check/synthetic.js';
import type { CheckReport } from '../../src/ensemble/consistency/check/verdict.js';
import { HistoryBuilder } from '../helpers/histories.js';

const property = (r: CheckReport, name: string) => r.properties.find((p) => p.property === name)!;
const violations = (r: CheckReport) => r.properties.flatMap((p) => p.violations);

describe('register histories that are linearizable pass', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`simulated register, seed ${seed}: 2,000 operations with indeterminate ones`, () => {
      const r = checkHistory(syntheticRegisterHistory({ ops: 2000, seed, infoRate: 0.03 }), { reads: 'linearizable' });
      expect(violations(r)).toEqual([]);
      expect(r.valid).toBe(true);
      expect(r.operations.info).toBeGreaterThan(20);
    });
  }

  it('an indeterminate write may have taken effect (a later read sees it) or not (nobody does)', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { outcome: 'info', error: 'CONNECTION_LOSS' });
    b.read(2, 20, 25, 'a', 1, { sync: true });
    b.write(3, 'b', 30, 40, { outcome: 'info', error: 'CONNECTION_LOSS' });
    b.write(1, 'c', 50, 60, { version: 2 });
    b.read(2, 70, 75, 'c', 2, { sync: true });
    expect(checkHistory(b.build()).valid).toBe(true);
  });
});

describe('hand-made anomalies are caught, each with the right explanation', () => {
  it('a lost acknowledged write', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1, mzxid: '0x100000002' });
    const lost = b.write(2, 'b', 20, 30, { version: 2, mzxid: '0x100000003' });
    const read = b.read(3, 40, 45, 'a', 1, { sync: true, mzxid: '0x100000002' });
    const final = b.read(4, 900, 905, 'a', 1, { sync: true, mzxid: '0x100000002' });
    const r = checkHistory(b.build());
    expect(r.valid).toBe(false);
    const v = property(r, 'linearizable').violations[0]!;
    expect(v.kind).toBe('lost-write');
    expect(v.explanation).toBe(`acknowledged write #${lost} of "b" to /k (version 2) was lost: read #${read}, which began after it was acknowledged, returned "a" (version 1), and no operation saw version 2 later, up to read #${final} at +0.905 s`);
    expect(v.ops.map((o) => o.id)).toEqual([1, lost, read, final]);
  });

  it('the same read with nothing after it is a stale read: the write may yet show', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1 });
    b.write(2, 'b', 20, 30, { version: 2 });
    b.read(3, 40, 45, 'a', 1, { sync: true });
    expect(property(checkHistory(b.build()), 'linearizable').violations.map((v) => v.kind)).toEqual(['stale-read']);
  });

  it('two acknowledged writes that claim one version: one of them was lost', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1 });
    b.write(2, 'b', 5, 15, { version: 1 });
    const v = property(checkHistory(b.build()), 'linearizable').violations[0]!;
    expect(v.kind).toBe('lost-write');
    expect(v.explanation).toMatch(/both became version 1: #1 wrote "a" and #2 wrote "b", so one of them was lost/);
  });

  it('a CAS that succeeded against a stale version', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1 });
    const newer = b.write(2, 'b', 20, 30, { version: 2 });
    const cas = b.cas(3, 1, 'c', 40, 50, { version: 2 });
    const v = property(checkHistory(b.build()), 'linearizable').violations.find((x) => x.kind === 'stale-cas')!;
    expect(v.explanation).toBe(`CAS #${cas} of /k expecting version 1 succeeded, but #${newer} had already been acknowledged as version 2 before the CAS began: it compared against a stale version`);
  });

  it('a read of a value never written', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1 });
    const read = b.read(2, 20, 25, 'ghost', 2);
    const r = checkHistory(b.build());
    const v = property(r, 'read-values').violations[0]!;
    expect(v.kind).toBe('never-written');
    expect(v.explanation).toBe(`read #${read} of /k returned "ghost", a value no operation ever wrote`);
    expect(r.valid).toBe(false);
  });

  it('a read that goes back in time within one session (a plain read: ZooKeeper\'s own rule)', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1, mzxid: '0x100000002' });
    b.write(1, 'b', 20, 30, { version: 2, mzxid: '0x100000003' });
    const first = b.read(2, 40, 45, 'b', 2, { mzxid: '0x100000003' });
    const back = b.read(2, 50, 55, 'a', 1, { mzxid: '0x100000002' });
    const r = checkHistory(b.build());
    expect(property(r, 'linearizable').status).toBe('ok');
    const v = property(r, 'session-order').violations[0]!;
    expect(v.kind).toBe('back-in-time');
    expect(v.explanation).toBe(`session 0x2 went back in time: read #${back} of /k through server 2 returned "a" (version 1) after the session had read version 2 (#${first})`);
  });

  it('back in time across keys: the session had seen a later zxid, by which the other key was overwritten', () => {
    const b = new HistoryBuilder('register', ['/x', '/y']);
    b.write(1, 'x1', 0, 10, { version: 1, mzxid: '0x10' }, '/x');
    b.write(1, 'y1', 20, 30, { version: 1, mzxid: '0x11' }, '/y');
    b.read(2, 40, 45, 'y1', 1, { mzxid: '0x11' }, '/y');
    b.read(2, 50, 55, 'init', 0, {}, '/x');
    const v = property(checkHistory(b.build()), 'session-order').violations[0]!;
    expect(v.explanation).toMatch(/had seen zxid 0x11 \(#3\), by which \/x already held "x1" \(zxid 0x10\), yet read #4 returned the older "init"/);
  });

  it('a read from the future, and one whose writer failed', () => {
    const b = new HistoryBuilder('register');
    b.read(2, 0, 5, 'a', 1);
    b.write(1, 'a', 10, 20, { version: 1 });
    b.cas(1, 7, 'z', 30, 40, { outcome: 'fail', error: 'BAD_VERSION' });
    b.read(2, 50, 55, 'z', 2);
    const kinds = property(checkHistory(b.build()), 'read-values').violations.map((v) => v.kind);
    expect(kinds).toEqual(['future-read', 'failed-write-read']);
  });

  it('a read whose version is not the one its writer was acknowledged with; a CAS reporting a version other than expected + 1', () => {
    const b = new HistoryBuilder('register');
    b.write(1, 'a', 0, 10, { version: 1 });
    const read = b.read(2, 20, 25, 'a', 3);
    const cas = b.cas(3, 1, 'c', 30, 40, { version: 5 });
    const r = checkHistory(b.build());
    expect(property(r, 'read-values').violations[0]).toMatchObject({ kind: 'version-mismatch', explanation: `read #${read} of /k returned "a" as version 3, but #1 was acknowledged writing it as version 1` });
    expect(property(r, 'linearizable').violations.find((v) => v.kind === 'cas-version')!.explanation).toBe(`CAS #${cas} of /k expected version 1 and succeeded, but reported version 5 rather than 2`);
  });

  it('without versions the search itself finds it, and shows the smallest window', () => {
    const b = new HistoryBuilder('register');
    for (let i = 0; i < 20; i++) b.write(1, `v${i}`, i * 10, i * 10 + 5);
    b.write(2, 'new', 300, 310);
    b.write(4, 'noise', 302, 400, { outcome: 'info' });
    b.read(3, 320, 330, 'v19', 0, { sync: true });
    const h = b.build();
    // Drop the versions the builder gave reads: only values remain to go by.
    for (const e of h.events) if (e.type === 'ok') delete e.version;
    const v = property(checkHistory(h), 'linearizable').violations[0]!;
    expect(v.kind).toBe('not-linearizable');
    expect(v.ops.map((o) => o.value ?? o.result.value)).toEqual(['new', 'noise', 'v19']);
    expect(v.explanation).toMatch(/no order of these 3 operations on \/k explains what they returned \(letting each of the 1 indeterminate ones take effect or not\)/);
  });
});

describe('stale plain reads: ZooKeeper\'s documented rule accepts them, linearizability does not', () => {
  const lagging = syntheticRegisterHistory({ ops: 3000, seed: 11, lagMs: 40 });

  it('--reads sequential (the default) accepts reads that lag behind other clients\' writes', () => {
    const r = checkHistory(lagging);
    expect(violations(r)).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('--reads linearizable flags them as stale reads', () => {
    const r = checkHistory(lagging, { reads: 'linearizable' });
    expect(r.valid).toBe(false);
    const v = property(r, 'linearizable').violations;
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => x.kind === 'stale-read')).toBe(true);
    expect(v[0]!.explanation).toMatch(/^stale read: read #\d+ of \/r\d through server \d began after .* yet returned /);
  });
});

describe('bounded', () => {
  it('gives up with "unknown" rather than running on', () => {
    const r = checkHistory(syntheticRegisterHistory({ ops: 3000, seed: 3, infoRate: 0.2 }), { reads: 'linearizable', maxConfigs: 50 });
    expect(r.valid).toBe('unknown');
    expect(property(r, 'linearizable').detail).toMatch(/more than 50 configurations/);
  });
});

describe('mutations of linearizable histories are caught (the checker can fail on real shapes)', () => {
  const seeds = Array.from({ length: 25 }, (_, i) => i + 1);
  const history = (seed: number) => syntheticRegisterHistory({ ops: 1500, seed, infoRate: 0.05 });

  it('a sync read moved back to an older value of its key is a stale read or not linearizable', () => {
    let caught = 0;
    for (const seed of seeds) {
      const h = history(seed);
      const ok = new Map(h.events.filter((e) => e.type === 'ok').map((e) => [e.op, e]));
      const writes = h.events.filter((e) => e.type === 'invoke' && e.f === 'write' && ok.get(e.op)?.version !== undefined);
      const target = h.events.find((e) => e.type === 'invoke' && e.sync && (ok.get(e.op)?.version ?? 0) > 2);
      if (!target || target.type !== 'invoke') continue;
      const done = ok.get(target.op)!;
      // Writes of the key acknowledged before the read began: it must see the newest of them or later.
      const before = writes.filter((w) => w.type === 'invoke' && w.key === target.key && ok.get(w.op)!.t < target.t);
      const newest = Math.max(...before.map((w) => ok.get(w.op)!.version!));
      const older = before.filter((w) => ok.get(w.op)!.version! < newest).pop();
      if (!older || older.type !== 'invoke') continue;
      Object.assign(done, { value: older.value, version: ok.get(older.op)!.version, mzxid: ok.get(older.op)!.mzxid });
      const r = checkHistory(h);
      expect(r.valid, `seed ${seed}`).toBe(false);
      caught++;
    }
    expect(caught).toBeGreaterThan(15);
  });

  it('a CAS that succeeded with an expected version one too old is caught', () => {
    let caught = 0;
    for (const seed of seeds) {
      const h = history(seed);
      const ok = new Map(h.events.filter((e) => e.type === 'ok').map((e) => [e.op, e]));
      const cas = h.events.find((e) => e.type === 'invoke' && e.f === 'cas' && (e.expect ?? 0) > 1 && ok.get(e.op)?.version !== undefined);
      if (!cas || cas.type !== 'invoke') continue;
      cas.expect = cas.expect! - 1;
      expect(checkHistory(h).valid, `seed ${seed}`).toBe(false);
      caught++;
    }
    expect(caught).toBeGreaterThan(15);
  });

  it('without any versions or zxids, linearizable histories still pass and a stale sync read is still caught by the search', () => {
    for (const seed of seeds.slice(0, 8)) {
      const h = syntheticRegisterHistory({ ops: 500, seed, infoRate: 0.02 });
      for (const e of h.events) if (e.type === 'ok') { delete e.version; delete e.mzxid; }
      expect(checkHistory(h).valid, `seed ${seed}`).toBe(true);
      const reads = h.events.filter((e) => e.type === 'invoke' && e.sync);
      const ok = new Map(h.events.filter((e) => e.type === 'ok').map((e) => [e.op, e]));
      const late = reads.filter((e) => ok.has(e.op) && e.t > 500).at(-1);
      if (!late || late.type !== 'invoke') continue;
      // A value written long before, by a write that completed long before this read began.
      const early = h.events.find((e) => e.type === 'invoke' && e.f === 'write' && e.key === late.key && ok.has(e.op) && ok.get(e.op)!.t < late.t - 200);
      if (!early || early.type !== 'invoke') continue;
      ok.get(late.op)!.value = early.value;
      expect(checkHistory(h).valid, `seed ${seed} mutated`).toBe(false);
    }
  });
});
