/** Ensemble files: strict keys, types and values, each problem reported at its file and line. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnsembleFile } from '../../src/options/file.js';
import { UsageError } from '../../src/errors.js';
import { normalizeOptions } from '../../src/options/options.js';

function problem(text: string): UsageError {
  try {
    parseEnsembleFile(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(64);
    return e as UsageError;
  }
  throw new Error('expected the file to be refused');
}

describe('ensemble files', () => {
  const dir = new URL('../../ensembles/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`ships ${file}, which parses and validates`, () => {
      const opts = parseEnsembleFile(readFileSync(new URL(file, dir), 'utf8'), file);
      const req = normalizeOptions(opts);
      expect(req.name).toBe(file.replace(/\.yaml$/, ''));
      expect(req.servers).toBeGreaterThanOrEqual(3);
    });
  }

  it('reads every key', () => {
    const opts = parseEnsembleFile('name: x\nzkVersion: "3.8.4"\nservers: 5\nobservers: 2\nports: 30000\ndist: system\nmirror: http://m.example/\nheap: 256m\ntimeout: 90s\nconfig:\n  forceSync: "no"\n  tickTime: 500\n', 'f.yaml');
    expect(opts).toEqual({ name: 'x', zkVersion: '3.8.4', servers: 5, observers: 2, ports: 30000, dist: 'system', mirror: 'http://m.example/', heap: '256m', timeout: '90s', config: { forceSync: 'no', tickTime: 500 } });
  });

  it('accepts an empty file as all defaults', () => {
    expect(parseEnsembleFile('# nothing\n', 'empty.yaml')).toEqual({});
  });

  const cases: { name: string; text: string; expect: RegExp[] }[] = [
    { name: 'a typo of a key names it, its line, and the key meant', text: 'name: a\nserver: 3\n', expect: [/bad\.yaml:2: server: is not a known key \(did you mean "servers"\?\)/] },
    { name: 'a wrong type', text: 'servers: three\n', expect: [/bad\.yaml:1: servers: "three" is not a whole number/] },
    { name: 'an unquoted version that YAML reads as a number', text: 'servers: 3\nzkVersion: 3.8\n', expect: [/bad\.yaml:2: zkVersion: 3\.8 must be text \(quote it/] },
    { name: 'a version that is not one', text: 'zkVersion: "latest"\n', expect: [/bad\.yaml:1: zkVersion: "latest" is not a ZooKeeper version/] },
    { name: 'an out-of-range count', text: 'servers: 0\n', expect: [/bad\.yaml:1: servers: 0 is not a whole number from 1/] },
    { name: 'a bad ports value', text: '\n\nports: everywhere\n', expect: [/bad\.yaml:3: ports: "everywhere"/] },
    { name: 'a managed config key', text: 'servers: 3\nconfig:\n  dataDir: /tmp/x\n  clientPort: 1\n', expect: [/bad\.yaml:3: config\.dataDir: is managed/, /bad\.yaml:4: config\.clientPort: is managed/] },
    { name: 'a server.N config key', text: 'config:\n  server.1: 127.0.0.1:1:2\n', expect: [/bad\.yaml:2: config\.server\.1: is managed/] },
    { name: 'several problems at once', text: 'servers: -1\nheap: lots\nwat: 1\n', expect: [/3 problems/, /:1: servers/, /:3: wat: is not a known key/] },
    { name: 'broken YAML', text: 'servers: [3\n', expect: [/bad\.yaml:\d+: yaml:/] },
    { name: 'a list instead of a mapping', text: '- servers: 3\n', expect: [/bad\.yaml:1: file: must be a mapping/] },
    { name: 'a duplicated key', text: 'servers: 3\nservers: 5\n', expect: [/bad\.yaml:2: yaml: .*[Uu]nique|bad\.yaml:\d+: yaml:/] },
    { name: 'config that is not a mapping', text: 'config: forceSync=no\n', expect: [/bad\.yaml:1: config: "forceSync=no" is not a mapping/] },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const e = problem(c.text);
      for (const re of c.expect) expect(e.message).toMatch(re);
    });
  }
});
