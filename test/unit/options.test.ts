import { describe, expect, it } from 'vitest';
import { normalizeOptions, parseDuration, parseHeap } from '../../src/options/options.js';
import { UsageError } from '../../src/errors.js';

describe('normalizeOptions', () => {
  it('applies defaults', () => {
    const r = normalizeOptions({});
    expect(r).toMatchObject({ name: 'default', servers: 3, observers: 0, ports: 'classic', heapMb: 128, timeoutMs: 60_000, wait: true, config: {} });
    expect(r.zkVersion).toBeUndefined();
    expect(r.explicit.size).toBe(0);
  });

  it('takes the mirror from the environment given, not from process.env', () => {
    expect(normalizeOptions({}, { ZKPSEUDO_MIRROR: 'http://m.example/' }).mirror).toBe('http://m.example/');
    expect(normalizeOptions({ mirror: 'https://x.example/' }, { ZKPSEUDO_MIRROR: 'http://m.example/' }).mirror).toBe('https://x.example/');
  });

  it('collects every problem into one usage error naming each key and value', () => {
    let err: unknown;
    try {
      normalizeOptions({ servers: 0, zkVersion: '3.8', heap: 'lots', timeout: 'soon', ports: 80, name: '../x', config: { clientPort: '1', 'bad key': 'x' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as UsageError).message;
    for (const part of ['servers: 0', 'zkVersion: "3.8"', 'heap: "lots"', 'timeout: "soon"', 'ports: 80', 'name: "../x"', 'config.clientPort: is managed', 'config.bad key']) {
      expect(msg).toContain(part);
    }
    expect((err as UsageError).exitCode).toBe(64);
  });

  it('refuses versions older than 3.4 and too many servers', () => {
    expect(() => normalizeOptions({ zkVersion: '3.3.6' })).toThrow(/older than 3.4.0/);
    expect(() => normalizeOptions({ servers: 40 })).toThrow(/servers: 40/);
    expect(() => normalizeOptions({ servers: 30, observers: 5 })).toThrow(/observers/);
  });

  it('parses sizes and durations', () => {
    expect(parseHeap('256m')).toBe(256);
    expect(parseHeap('1g')).toBe(1024);
    expect(parseHeap('1.5g')).toBeUndefined();
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    // A number is milliseconds (the library's unit); the command line's unitless "5" stays seconds.
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('5')).toBe(5000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0s')).toBeUndefined();
  });
});
