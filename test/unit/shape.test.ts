/** What an `up` of an existing ensemble asks for: the same shape, and which settings change (issue 20). */
import { describe, expect, it } from 'vitest';
import { normalizeOptions, codeDurationIssue } from '../../src/options/options.js';
import { parseEnsembleFile } from '../../src/options/file.js';
import { settingChanges, shapeDifferences } from '../../src/ensemble/lifecycle/shape.js';
import type { EnsembleSpec } from '../../src/options/types.js';

const spec: EnsembleSpec = {
  name: 'e', zkVersion: '3.8.0', heapMb: 128, portScheme: 'auto', config: { forceSync: 'no' }, createdAt: '2024-01-01T00:00:00Z',
  dist: { source: 'system', origin: '/usr/share/zookeeper', tarball: '/c/t.tar.gz', sha512: 'ab' },
  members: [1, 2, 3].map((id) => ({ id, peerType: 'participant' as const, ports: { client: 30000 + id, quorum: 31000 + id, election: 32000 + id } })),
};

describe('resuming an ensemble', () => {
  it('the same shape and settings: nothing differs, nothing changes', () => {
    for (const asked of [{}, { servers: 3 }, { servers: 3, ports: 'auto' as const, heap: '128m', config: { forceSync: 'no' } }, { tick: '2000ms' }, { tick: 2000 }]) {
      const req = normalizeOptions({ name: 'e', ...asked });
      expect(shapeDifferences(req, spec), JSON.stringify(asked)).toEqual([]);
      expect(settingChanges(req, spec), JSON.stringify(asked)).toEqual([]);
    }
  });
  it('a library default (ports "auto") is not a change of shape for an ensemble made with classic ports', () => {
    const req = normalizeOptions({ name: 'e' }, {}, { ports: 'auto' });
    expect(req.ports).toBe('auto');
    expect(shapeDifferences(req, { ...spec, portScheme: 'classic' })).toEqual([]);
    expect(shapeDifferences(normalizeOptions({ name: 'e', ports: 'auto' }), { ...spec, portScheme: 'classic' })).toEqual(['ports "classic", not "auto"']);
  });
  it('names each setting a running server would only read at a restart', () => {
    expect(settingChanges(normalizeOptions({ name: 'e', config: { forceSync: 'no', maxSessionTimeout: 60000 } }), spec)).toEqual(['maxSessionTimeout (unset) → 60000']);
    expect(settingChanges(normalizeOptions({ name: 'e', config: {} }), spec)).toEqual(['forceSync no → (unset)']);
    expect(settingChanges(normalizeOptions({ name: 'e', heap: '256m', tick: '200ms' }), spec)).toEqual(['heap 128m → 256m', 'tick 2000ms → 200ms']);
  });
  it('shape differences are listed', () => {
    expect(shapeDifferences(normalizeOptions({ name: 'e', servers: 5, observers: 1 }), spec)).toEqual(['3 servers, not 5', '0 observers, not 1']);
  });
});

describe('durations', () => {
  it('code gives milliseconds as a number, or a string with a unit', () => {
    expect(codeDurationIssue(1500)).toBeUndefined();
    expect(codeDurationIssue('1.5s')).toBeUndefined();
    expect(codeDurationIssue('90')).toMatch(/"90" has no unit: give 90 \(a number, milliseconds\) or "90s"/);
    expect(codeDurationIssue(true)).toMatch(/is not a duration/);
    expect(normalizeOptions({ timeout: 1500 }).timeoutMs).toBe(1500);
    expect(normalizeOptions({ tick: 200 }).tickMs).toBe(200);
  });
  it('an ensemble file asks for the unit of a bare timeout (it once meant seconds)', () => {
    expect(() => parseEnsembleFile('timeout: 90\n', 'f.yaml')).toThrow(/f\.yaml:1: timeout: 90 has no unit: write 90s \(or 90ms\)/);
    expect(parseEnsembleFile('timeout: 90s\ntick: 200\n', 'f.yaml')).toEqual({ timeout: '90s', tick: 200 });
  });
});
