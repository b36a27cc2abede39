/**
 * Known zoo.cfg keys are typed before anything starts (issue item 9): every typed key × every
 * kind of bad value, through the pure check, `up()`'s option normalization (exit 64, the key
 * named) and an ensemble file (file:line:key); plus the combinations ZooKeeper refuses.
 */
import { describe, expect, it } from 'vitest';
import { checkConfigValue, configConflicts, javaTrim, KEY_TYPES, type KeyType } from '../../src/zk/config/key-types.js';
import { normalizeOptions } from '../../src/options/options.js';
import { parseEnsembleFile } from '../../src/options/file.js';
import { UsageError } from '../../src/errors.js';

/** A value each type takes. */
function good(type: KeyType): string {
  switch (type.kind) {
    case 'integer': return String(Math.max(type.min, 3));
    case 'boolean': return 'true';
    case 'yes-no': return 'no';
    case 'one-of': return type.values[0]!;
  }
}

/** The first number beyond what the key's Java type holds. */
const overflow = (type: KeyType) => (type.kind === 'integer' && type.java === 'long' ? '9223372036854775808' : '99999999999');

/** Keys a good value needs beside it, so that no combination ZooKeeper refuses is formed. */
const COMPANIONS: Record<string, Record<string, string>> = {
  maxSessionTimeout: { minSessionTimeout: '1' },
  'quorum.auth.serverRequireSasl': { 'quorum.auth.enableSasl': 'true', 'quorum.auth.learnerRequireSasl': 'true' },
  'quorum.auth.learnerRequireSasl': { 'quorum.auth.enableSasl': 'true' },
};

function refusal(key: string, value: string): UsageError {
  try {
    normalizeOptions({ config: { [key]: value } });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`config ${key}=${JSON.stringify(value)} was accepted`);
}

describe('typed zoo.cfg keys', () => {
  const cases: { name: string; value: (t: KeyType) => string; accept: boolean; becomes?: (t: KeyType) => string }[] = [
    { name: 'good', value: good, accept: true, becomes: good },
    { name: 'garbage', value: () => 'abc', accept: false },
    { name: 'empty', value: () => '', accept: false },
    { name: 'negative', value: () => '-3', accept: false },
    { name: 'overflow', value: overflow, accept: false },
    { name: 'trailing backslash', value: (t) => `${good(t)}\\`, accept: false },
    { name: 'whitespace around (ZooKeeper trims it)', value: (t) => ` \t${good(t)} `, accept: true, becomes: good },
    { name: 'whitespace inside', value: (t) => `${good(t).slice(0, 1)} ${good(t).slice(1) || '0'}`, accept: false },
    { name: 'a no-break space Java does not trim', value: (t) => `\u00a0${good(t)}`, accept: false },
    { name: 'unicode digits', value: () => '５', accept: false },
  ];

  for (const [key, type] of Object.entries(KEY_TYPES)) {
    for (const c of cases) {
      const value = c.value(type);
      it(`${key} × ${c.name} (${JSON.stringify(value)}) is ${c.accept ? 'accepted' : 'refused'}`, () => {
        const checked = checkConfigValue(key, value);
        expect(checked.ok).toBe(c.accept);
        if (c.accept) {
          expect(normalizeOptions({ config: { ...COMPANIONS[key], [key]: value } }).config[key]).toBe(c.becomes!(type));
        } else {
          expect(checked.ok ? '' : checked.problem).toContain(`${key} takes `);
          const e = refusal(key, value);
          expect(e.exitCode).toBe(64);
          expect(e.message).toContain(`config.${key}`);
          expect(e.message).toContain(JSON.stringify(value));
        }
      });
    }
  }

  it('says what was expected, as in the issue', () => {
    const said = (key: string, value: string) => (checkConfigValue(key, value) as { problem: string }).problem;
    expect(said('syncLimit', '5\\')).toBe('syncLimit takes a whole number of ticks ≥ 1, not "5\\\\"');
    expect(said('initLimit', 'abc')).toBe('initLimit takes a whole number of ticks ≥ 1, not "abc"');
    expect(said('maxClientCnxns', '-3')).toBe('maxClientCnxns takes a whole number of connections ≥ 0 (0: no limit), not "-3"');
    expect(said('forceSync', 'maybe')).toMatch(/^forceSync takes yes or no, in lower case .*, not "maybe"$/);
    expect(said('forceSync', 'No')).toContain('not "No"');
    expect(said('tickTime', '0')).toBe('tickTime takes a whole number of milliseconds ≥ 1, not "0"');
    expect(said('syncLimit', '99999999999')).toBe('syncLimit takes a whole number of ticks from 1 to 2147483647 (ZooKeeper reads it as a Java int), not "99999999999"');
    expect(said('autopurge.snapRetainCount', '2')).toContain('snapshots ≥ 3');
    expect(said('autopurge.purgeInterval', '-1')).toContain('hours ≥ 0');
    expect(said('electionAlg', '1')).toMatch(/^electionAlg takes 3 \(/);
    expect(said('quorumListenOnAllIPs', 'yes')).toBe('quorumListenOnAllIPs takes true or false, not "yes"');
  });

  it('reads booleans in any case, and numbers with leading zeros, as Java does', () => {
    expect(checkConfigValue('syncEnabled', 'FALSE')).toEqual({ ok: true, value: 'FALSE' });
    expect(checkConfigValue('snapshot.trust.empty', 'True')).toEqual({ ok: true, value: 'True' });
    expect(checkConfigValue('initLimit', '007')).toEqual({ ok: true, value: '7' });
    expect(checkConfigValue('fsync.warningthresholdms', '99999999999')).toEqual({ ok: true, value: '99999999999' });
    expect(checkConfigValue('maxClientCnxns', '0')).toEqual({ ok: true, value: '0' });
  });

  it('passes unknown keys untouched, whatever their value', () => {
    expect(checkConfigValue('my.own.property', ' x\\ ')).toEqual({ ok: true, value: ' x\\ ' });
    expect(normalizeOptions({ config: { synclimit: 'abc' } }).config).toEqual({ synclimit: 'abc' });
  });

  it('trims as Java does: control characters and spaces, nothing else', () => {
    expect(javaTrim('\t 5 \f')).toBe('5');
    expect(javaTrim('\u3000 5')).toBe('\u3000 5');
  });

  it('collects every bad value at once, with numbers from YAML and code', () => {
    const e = (() => { try { normalizeOptions({ config: { syncLimit: 0, forceSync: 'maybe', initLimit: 10, tickTime: 500 } }); } catch (err) { return err as UsageError; } throw new Error('accepted'); })();
    expect(e.message).toContain('config.syncLimit: syncLimit takes');
    expect(e.message).toContain('config.forceSync: forceSync takes');
    expect(e.message).not.toContain('initLimit');
  });

  it('names the file, line and key in an ensemble file', () => {
    const text = 'servers: 3\nconfig:\n  tickTime: 500\n  syncLimit: "5\\\\"\n  forceSync: maybe\n';
    let err: UsageError | undefined;
    try { parseEnsembleFile(text, 'mine.yaml'); } catch (e) { err = e as UsageError; }
    expect(err?.exitCode).toBe(64);
    expect(err?.message).toContain('mine.yaml:4: config.syncLimit: syncLimit takes a whole number of ticks ≥ 1, not "5\\\\"');
    expect(err?.message).toContain('mine.yaml:5: config.forceSync: forceSync takes yes or no');
  });
});

describe('combinations ZooKeeper refuses', () => {
  it('minSessionTimeout above maxSessionTimeout, each given or defaulted from the tick', () => {
    expect(configConflicts({ minSessionTimeout: '9000', maxSessionTimeout: '8000' })).toEqual([
      { key: 'minSessionTimeout', problem: 'minSessionTimeout (9000 ms) is larger than maxSessionTimeout (8000 ms), which ZooKeeper refuses at start' },
    ]);
    // The default tick is 2000 ms, so maxSessionTimeout defaults to 40 000 ms.
    expect(configConflicts({ minSessionTimeout: '50000' })[0]?.problem).toMatch(/maxSessionTimeout \(40000 ms, ZooKeeper's default of 20 ticks at a tick of 2000 ms\)/);
    expect(configConflicts({ minSessionTimeout: '40000' })).toEqual([]);
    // minSessionTimeout defaults to 2 ticks: 4000 ms.
    expect(configConflicts({ maxSessionTimeout: '1000' })[0]?.key).toBe('maxSessionTimeout');
    // With --tick 200ms the default maximum is 4000 ms.
    expect(configConflicts({ minSessionTimeout: '5000' }, 200)).toHaveLength(1);
    expect(configConflicts({ minSessionTimeout: '5000', tickTime: '1000' })).toEqual([]);
  });

  it('refuses through normalization, with exit 64, naming both keys', () => {
    const e = refusal('minSessionTimeout', '50000');
    expect(e.exitCode).toBe(64);
    expect(e.message).toMatch(/config\.minSessionTimeout: minSessionTimeout \(50000 ms\) is larger than maxSessionTimeout/);
    expect(() => normalizeOptions({ tick: '200ms', config: { minSessionTimeout: '5000' } })).toThrow(/larger than maxSessionTimeout \(4000 ms/);
  });

  it('limits whose milliseconds overflow the int ZooKeeper computes them in', () => {
    expect(configConflicts({ tickTime: '300000000', initLimit: '10', syncLimit: '8' }).map((c) => c.key)).toEqual(['initLimit', 'syncLimit', 'tickTime']);
    expect(configConflicts({ tickTime: '60000', initLimit: '30000' }).map((c) => c.key)).toEqual([]);
  });

  it('quorum SASL required without being enabled', () => {
    expect(configConflicts({ 'quorum.auth.serverRequireSasl': 'true', 'quorum.auth.learnerRequireSasl': 'true' }).map((c) => c.key)).toEqual(['quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl']);
    expect(configConflicts({ 'quorum.auth.enableSasl': 'true', 'quorum.auth.serverRequireSasl': 'TRUE' }).map((c) => c.key)).toEqual(['quorum.auth.serverRequireSasl']);
    expect(configConflicts({ 'quorum.auth.enableSasl': 'true', 'quorum.auth.serverRequireSasl': 'true', 'quorum.auth.learnerRequireSasl': 'true' })).toEqual([]);
  });
});
