// The tree file dump writes and seed reads: rendered deterministically, read back exactly,
// and a bad file refused with every problem as file:line: path: problem (exit 64).
import { describe, expect, it } from 'vitest';
import { asText, parseTreeFile, renderTreeFile, sortTree, treeFromObject, type TreeNode } from '../../src/ensemble/tree/tree-file.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { OPEN_ACL } from '../../src/zk/znodes.js';

const node = (path: string, over: Partial<TreeNode> = {}): TreeNode => ({ path, data: null, acl: [...OPEN_ACL], kind: 'persistent', sequential: false, ...over });
const DIGEST = 'digest:alice:p6hhgnMIVQyxd4Z3XHw0dXgfnLY=:cdrwa';

function refusal(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.usage);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('rendering', () => {
  it('writes plain nodes as their text, {} for no data, and a mapping for anything more', () => {
    const text = renderTreeFile([
      node('/app', { data: Buffer.from('hello') }),
      node('/app/empty', { data: Buffer.alloc(0) }),
      node('/app/none'),
      node('/app/bin', { data: Buffer.from([0, 1, 2, 255]) }),
      node('/app/locked', { data: Buffer.from('secret'), acl: [{ scheme: 'digest', id: 'alice:p6hhgnMIVQyxd4Z3XHw0dXgfnLY=', perms: 31 }, { scheme: 'world', id: 'anyone', perms: 1 }] }),
      node('/app/lock-0000000003', { data: Buffer.from('x'), kind: 'ephemeral', sequential: true }),
      node('/app/multi', { data: Buffer.from('line 1\nline 2\n') }),
    ], '/app');
    expect(text).toBe([
      '# zkpseudo dump of /app: 7 znodes. `zkpseudo seed FILE` creates them again.',
      '# Each key is a path; its value the data as text, {} for none, or a mapping of data | base64, acl',
      '# (scheme:id:perms, perms from cdrwa), ephemeral, container, ttl (ms) and sequential.',
      '/app: hello',
      '/app/bin:',
      '  base64: AAEC/w==',
      '/app/empty: ""',
      '/app/lock-0000000003:',
      '  data: x',
      '  ephemeral: true',
      '  sequential: true',
      '/app/locked:',
      '  data: secret',
      '  acl:',
      `    - ${DIGEST}`,
      '    - world:anyone:r',
      '/app/multi: |',
      '  line 1',
      '  line 2',
      '/app/none: {}',
      '',
    ].join('\n'));
  });

  it('orders parents before children, siblings by name, whatever order the nodes came in', () => {
    const sorted = sortTree([node('/b'), node('/a/z'), node('/a'), node('/a/b/c'), node('/a/b'), node('/a-b')]).map((n) => n.path);
    expect(sorted).toEqual(['/a', '/a/b', '/a/b/c', '/a/z', '/a-b', '/b']);
  });

  it('takes data as text only when it reads back byte for byte and holds nothing unreadable', () => {
    expect(asText(Buffer.from('ünïcödé ✓\n\ttab'))).toBe('ünïcödé ✓\n\ttab');
    expect(asText(Buffer.from([0xc3, 0x28]))).toBeUndefined();
    expect(asText(Buffer.from('nul\0'))).toBeUndefined();
    expect(asText(Buffer.from('\ufeffbom'))).toBeUndefined();
  });

  it('an empty tree is a valid file that seeds nothing', () => {
    const text = renderTreeFile([], '/');
    expect(parseTreeFile(text, 'empty.yaml')).toEqual([]);
  });

  it('reads back exactly what it wrote, for many random trees (text, binary, empty, none, ACLs, kinds)', () => {
    let seed = 42;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const alphabet = ['a', 'b', ' ', '\n', '\t', ':', '#', '-', '"', "'", 'ü', '✓', '\r', '\\', '{', '}', '[', '*', '&', '!', '%', '@', '`', '|', '>', '0', '1', '.'];
    const randomText = () => Array.from({ length: rand(30) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const nodes: TreeNode[] = [];
      for (let i = 0; i < 10; i++) {
        const name = `${randomText().replace(/[\s/]|[\x00-\x1f]/g, '_') || 'n'}${rand(3) === 0 ? '-0000000012' : ''}`;
        const path = `/r${round}/${name}${i}`;
        const kindRoll = rand(5);
        const dataRoll = rand(4);
        nodes.push(node(path, {
          data: dataRoll === 0 ? null : dataRoll === 1 ? Buffer.from(Array.from({ length: rand(20) }, () => rand(256))) : Buffer.from(randomText()),
          acl: rand(3) === 0 ? [{ scheme: 'ip', id: '127.0.0.1', perms: rand(32) }, { scheme: 'world', id: 'anyone', perms: 1 }] : [...OPEN_ACL],
          kind: kindRoll === 0 ? 'ephemeral' : kindRoll === 1 ? 'container' : kindRoll === 2 ? 'ttl' : 'persistent',
          ...(kindRoll === 2 ? { ttlMs: 1 + rand(100000) } : {}),
          sequential: name.endsWith('-0000000012'),
        }));
      }
      const text = renderTreeFile(nodes, `/r${round}`);
      const back = parseTreeFile(text, 'round.yaml');
      expect(sortTree(back)).toEqual(sortTree(nodes));
      expect(renderTreeFile(back, `/r${round}`)).toBe(text);
    }
  });
});

describe('reading a hand-written file', () => {
  it('takes plain scalars as the text they show: 5, true, 0x10, and ~ or nothing for no data', () => {
    const nodes = parseTreeFile('/a: 5\n/b: true\n/c: 0x10\n/d: ~\n/e:\n/f: "quoted"\n/g:\n  data: 007\n/h: !!binary AAEC\n', 'f.yaml');
    const data = Object.fromEntries(nodes.map((n) => [n.path, n.data === null ? null : n.data.toString('latin1')]));
    expect(data).toEqual({ '/a': '5', '/b': 'true', '/c': '0x10', '/d': null, '/e': null, '/f': 'quoted', '/g': '007', '/h': '\x00\x01\x02' });
  });

  it('an acl may be one string or a list; container and ttl are node kinds seed creates', () => {
    const [a, b, c] = parseTreeFile('/a:\n  acl: world:anyone:r\n/b: { container: true }\n/c: { ttl: 5000, data: x }\n', 'f.yaml');
    expect(a!.acl).toEqual([{ scheme: 'world', id: 'anyone', perms: 1 }]);
    expect(b!.kind).toBe('container');
    expect(c).toMatchObject({ kind: 'ttl', ttlMs: 5000 });
  });

  it('refuses every problem at once, each as file:line: path: problem', () => {
    const text = [
      '/ok: fine',              // 1
      'relative: x',            // 2
      '/a//b: x',               // 3
      '/zookeeper/mine: x',     // 4
      '/c:',                    // 5
      '  dta: x',               // 6
      '/d:',                    // 7
      '  acl: [world:anyone:rwz]', // 8
      '/e: { data: x, base64: eA== }', // 9
      '/f: { base64: "not base64" }', // 10
      '/g: { ephemeral: true }', // 11
      '/g/child: x',            // 12
      '/h: { sequential: true }', // 13
      '/i: { ttl: -1 }',        // 14
      '/j: { ephemeral: true, container: true }', // 15
      '/k: [1, 2]',             // 16
      '/l: { acl: ["digest:alice:password:r"] }', // 17
      '/: x',                   // 18
    ].join('\n');
    const err = refusal(() => parseTreeFile(text, 'bad.yaml'));
    const lines = err.message.split('\n').slice(1).map((l) => l.trim());
    expect(err.message).toMatch(/^bad\.yaml has 14 problems:/);
    expect(lines).toEqual([
      'bad.yaml:2: relative: the key must start with /',
      'bad.yaml:3: /a//b: the key has an empty name (//)',
      'bad.yaml:4: /zookeeper/mine: /zookeeper is ZooKeeper\'s own tree and cannot be seeded',
      'bad.yaml:6: /c: "dta" is not a known key (did you mean "data"?); known keys: data, base64, acl, ephemeral, container, ttl, sequential',
      'bad.yaml:8: /d: acl: "world:anyone:rwz": "z" is not a permission (use the letters c d r w a)',
      'bad.yaml:9: /e: give data or base64, not both',
      'bad.yaml:10: /f: base64: "not base64" is not base64 (A–Z a–z 0–9 + /, padded with = to a multiple of 4)',
      'bad.yaml:12: /g/child: its parent /g is ephemeral, and ephemeral nodes cannot have children',
      'bad.yaml:13: /h: sequential: a sequential node\'s name ends with its 10-digit counter, like job-0000000003',
      'bad.yaml:14: /i: ttl: -1 is not a whole number of milliseconds from 1 to 1099511627775',
      'bad.yaml:15: /j: a node is one of ephemeral, container or ttl, not ephemeral and container',
      'bad.yaml:16: /k: a list is neither data (text) nor a mapping of data, base64, acl, ephemeral, container, ttl, sequential',
      expect.stringMatching(/^bad\.yaml:17: \/l: acl: "digest:alice:password:r": a digest id is user:base64/),
      'bad.yaml:18: /: the root / always exists; give its children',
    ]);
    expect(err.hint).toMatch(/^Nothing was written\./);
  });

  it('refuses broken YAML, a duplicate path and a file that is not a mapping, with the line', () => {
    expect(refusal(() => parseTreeFile('/a: x\n/b: [unclosed\n', 'y.yaml')).message).toMatch(/^y\.yaml:3: Flow sequence/);
    expect(refusal(() => parseTreeFile('/a: x\n/a: y\n', 'dup.yaml')).message).toMatch(/^dup\.yaml:2: Map keys must be unique/);
    expect(refusal(() => parseTreeFile('- /a\n- /b\n', 'list.yaml')).message).toBe('list.yaml:1: the file must be a mapping of znode paths, like /app: hello.');
  });

  it('refuses data larger than a request may carry', () => {
    const big = `/big: ${'x'.repeat(1024 * 1024)}\n`;
    expect(refusal(() => parseTreeFile(big, 'big.yaml')).message).toMatch(/^big\.yaml:1: \/big: its data is 1048576 bytes; ZooKeeper takes at most 1047552/);
  });
});

describe('a tree given as an object (zk.seed)', () => {
  it('takes the file\'s shape', () => {
    const nodes = treeFromObject({ '/a': 'x', '/a/b': { base64: 'AAE=', acl: ['world:anyone:r'] }, '/c': null, '/d': {} });
    expect(nodes.map((n) => [n.path, n.data?.toString('hex') ?? null])).toEqual([['/a', '78'], ['/a/b', '0001'], ['/c', null], ['/d', null]]);
  });

  it('is checked as strictly, without line numbers', () => {
    expect(refusal(() => treeFromObject({ '/a': { date: 'x' }, 'b': 'y' })).message).toBe([
      'seed has 2 problems:',
      '  seed: /a: "date" is not a known key (did you mean "data"?); known keys: data, base64, acl, ephemeral, container, ttl, sequential',
      '  seed: b: the key must start with /',
    ].join('\n'));
    expect(refusal(() => treeFromObject([1, 2])).message).toMatch(/^seed: \[1,2\] is not a tree/);
  });
});
