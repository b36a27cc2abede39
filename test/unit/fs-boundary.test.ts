// The guarded file-system boundary (src/edge/fs/owned-fs.ts): nothing else in src/ may change the
// file system, and the boundary itself keeps every change under its root, never follows a link
// when deleting, and turns every errno of every operation into a clear error naming the path.
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  canonicalPathSync, chmodOwned, copyOwned, extractOwned, fsOps, FsError, linkOwned, mkdirOwned, NotARegularFileError, OutsideRootError, ownedName, packOwned,
  removeIfEmpty, removeOwned, renameOwned, writeOwned, writeStreamOwned, writeUserFile,
} from '../../src/edge/fs/owned-fs.js';
import { ExitCode, ZkpseudoError } from '../../src/errors.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const BOUNDARY = path.join(SRC, 'edge/fs/owned-fs.ts');
const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
/** Everything in node:fs that creates, changes or deletes. */
const WRITERS = new Set([
  'rm', 'rmdir', 'unlink', 'rename', 'writeFile', 'appendFile', 'cp', 'copyFile', 'symlink', 'link', 'mkdir', 'mkdtemp', 'truncate',
  'createWriteStream', 'chmod', 'chown', 'utimes', 'lchown', 'lutimes', 'ftruncate', 'write', 'writev',
].flatMap((n) => [n, `${n}Sync`]));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** What a file takes from node:fs that can write, found by parsing it (static and dynamic imports). */
function writersImported(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && FS_MODULES.has(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) found.push(`default import ${clause.name.text}`);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) found.push(`namespace import ${bindings.name.text}`);
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) if (WRITERS.has((el.propertyName ?? el.name).text)) found.push(el.name.text);
    }
    // const { rm } = await import('node:fs/promises')
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isObjectBindingPattern(node.name)) {
      let init: ts.Expression = node.initializer;
      if (ts.isAwaitExpression(init)) init = init.expression;
      if (ts.isCallExpression(init) && init.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(init.arguments[0]!) && FS_MODULES.has(init.arguments[0].text)) {
        for (const el of node.name.elements) {
          const name = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : (el.name as ts.Identifier).text;
          if (WRITERS.has(name)) found.push(name);
        }
      }
    }
    // open(file, 'a' | 'w' | ...) from node:fs/promises writes as well: only reading is allowed.
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'open' && node.arguments.length > 1) {
      const flag = node.arguments[1]!;
      const text = flag.getText(sf);
      const readOnly = ts.isStringLiteral(flag) ? flag.text === 'r' : /O_RDONLY/.test(text) && !/O_(WRONLY|RDWR|CREAT|APPEND|TRUNC)/.test(text);
      if (!readOnly) found.push(`open(…, ${text})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('the file-system boundary is the only writer', () => {
  it('no module of src/ but edge/fs/owned-fs.ts imports a writing function of node:fs', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      if (file === BOUNDARY) continue;
      const names = writersImported(file, await readFile(file, 'utf8'));
      if (names.length) offenders.push(`${path.relative(SRC, file)}: ${names.join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the scan itself finds each way of importing a writer (so it can fail)', () => {
    expect(writersImported('a.ts', "import { rm, readFile } from 'node:fs/promises';")).toEqual(['rm']);
    expect(writersImported('a.ts', "import { writeFile as w } from 'fs';")).toEqual(['w']);
    expect(writersImported('a.ts', "import * as fs from 'node:fs';")).toEqual(['namespace import fs']);
    expect(writersImported('a.ts', "import fs from 'node:fs';")).toEqual(['default import fs']);
    expect(writersImported('a.ts', "async function f() { const { rename } = await import('node:fs/promises'); }")).toEqual(['rename']);
    expect(writersImported('a.ts', "import { unlinkSync } from 'node:fs';")).toEqual(['unlinkSync']);
    expect(writersImported('a.ts', "async function f(p: string) { await open(p, 'a'); await open(p, 'r'); }")).toEqual(["open(…, 'a')"]);
    expect(writersImported('a.ts', "async function f(p: string) { await open(p, constants.O_RDONLY | constants.O_NOFOLLOW); await open(p, constants.O_RDWR | constants.O_CREAT); }")).toEqual(['open(…, constants.O_RDWR | constants.O_CREAT)']);
  });
});

describe('owned-fs keeps every change under its root', () => {
  let base: string;
  let root: string;
  let outside: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-owned-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(root, { recursive: true });
    await mkdir(outside, { recursive: true });
  });
  afterAll(async () => { await rm(base, { recursive: true, force: true }); });

  it('removing a symlink to a directory removes the link, never what it points at', async () => {
    await writeFile(path.join(outside, 'precious'), 'keep');
    await symlink(outside, path.join(root, 'link'));
    await removeOwned(root, path.join(root, 'link'), { recursive: true });
    expect(await readFile(path.join(outside, 'precious'), 'utf8')).toBe('keep');
    await expect(lstat(path.join(root, 'link'))).rejects.toThrow();
  });

  it('a recursive delete does not descend through a link inside the tree', async () => {
    await mkdir(path.join(root, 'tree/sub'), { recursive: true });
    await writeFile(path.join(outside, 'also-precious'), 'keep');
    await symlink(outside, path.join(root, 'tree/sub/escape'));
    await removeOwned(root, path.join(root, 'tree'), { recursive: true });
    expect(await readFile(path.join(outside, 'also-precious'), 'utf8')).toBe('keep');
  });

  it('refuses every operation whose target resolves outside the root (through a linked directory, or ..)', async () => {
    await symlink(outside, path.join(root, 'out'));
    const via = path.join(root, 'out', 'x');
    const climb = path.join(root, '..', 'outside', 'y');
    for (const target of [via, climb]) {
      const ops: [string, () => Promise<unknown>][] = [
        ['write', () => writeOwned(root, target, 'x')],
        ['mkdir', () => mkdirOwned(root, target)],
        ['remove', () => removeOwned(root, target, { recursive: true })],
        ['rename to', () => renameOwned(root, path.join(root, 'nothing'), target)],
        ['copy to', () => copyOwned(root, root, target)],
        ['link at', () => linkOwned(root, '/etc', target)],
        ['chmod', () => chmodOwned(root, target, 0o600)],
        ['stream to', () => writeStreamOwned(root, target)],
        ['unpack to', () => extractOwned(root, '/nonexistent.tar.gz', target)],
        ['pack to', () => packOwned(root, target, root, ['.'])],
      ];
      for (const [what, op] of ops) {
        const err = await op().then(() => undefined, (e: unknown) => e);
        expect(err, `${what} ${target}`).toBeInstanceOf(OutsideRootError);
        expect((err as ZkpseudoError).message).toContain(path.basename(target));
      }
    }
    expect(await readdir(outside)).not.toContain('x');
    expect(await readdir(outside)).not.toContain('y');
  });

  it('one place reached through two spellings has one canonical path', async () => {
    await mkdir(path.join(root, 'real'), { recursive: true });
    await symlink(path.join(root, 'real'), path.join(root, 'alias'));
    expect(canonicalPathSync(path.join(root, 'alias', 'not-yet', 'deeper'))).toBe(path.join(canonicalPathSync(root), 'real', 'not-yet', 'deeper'));
    expect(canonicalPathSync(path.join(root, 'real', '..', 'alias'))).toBe(canonicalPathSync(path.join(root, 'real')));
  });

  it('a write is atomic: a link at the target is replaced, not written through', async () => {
    await writeFile(path.join(outside, 'victim'), 'original');
    await symlink(path.join(outside, 'victim'), path.join(root, 'cfg'));
    await writeOwned(root, path.join(root, 'cfg'), 'new');
    expect(await readFile(path.join(outside, 'victim'), 'utf8')).toBe('original');
    expect((await lstat(path.join(root, 'cfg'))).isFile()).toBe(true);
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses names read back from files unless they have the shape zkpseudo writes', () => {
    const hex = /^[0-9a-f]{32}$/;
    expect(ownedName('0123456789abcdef0123456789abcdef', hex, 'the record')).toHaveLength(32);
    for (const bad of ['../../etc', '/etc/passwd', '', null, 42, '..', 'a/b', '0123456789abcdef0123456789abcde\n']) {
      expect(() => ownedName(bad, hex, 'the record'), String(bad)).toThrow(ZkpseudoError);
    }
  });

  it('removeIfEmpty leaves a directory with anything in it', async () => {
    await mkdir(path.join(root, 'full'), { recursive: true });
    await writeFile(path.join(root, 'full', 'f'), '');
    expect(await removeIfEmpty(root, path.join(root, 'full'))).toBe(false);
    await mkdir(path.join(root, 'empty'));
    expect(await removeIfEmpty(root, path.join(root, 'empty'))).toBe(true);
  });
});

describe('writeUserFile: a file the user names, outside every root', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-userfile-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
  const temps = async () => (await readdir(dir)).filter((n) => n.endsWith('.tmp'));

  it('creates a new regular file, and replaces an existing one keeping its mode', async () => {
    const file = path.join(dir, 'new.yaml');
    await writeUserFile(file, 'one');
    expect(await readFile(file, 'utf8')).toBe('one');
    await chmod(file, 0o600);
    await writeUserFile(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await temps()).toEqual([]);
  });

  it('refuses a symbolic link at the path: neither the link nor what it points at changes', async () => {
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'precious');
    const link = path.join(dir, 'link.yaml');
    await symlink(victim, link);
    const err = await writeUserFile(link, 'export').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NotARegularFileError);
    expect((err as ZkpseudoError).message).toContain(link);
    expect((err as ZkpseudoError).message).toMatch(/symbolic link/);
    expect((err as ZkpseudoError).exitCode).toBe(ExitCode.usage);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readlink(link)).toBe(victim);
    // A dangling link is refused too (writing would create a file wherever it points).
    const dangling = path.join(dir, 'dangling.yaml');
    await symlink(path.join(dir, 'nowhere', 'x'), dangling);
    await expect(writeUserFile(dangling, 'x')).rejects.toBeInstanceOf(NotARegularFileError);
    expect(await temps()).toEqual([]);
  });

  it('refuses a directory, a named pipe and a device at the path', async () => {
    await mkdir(path.join(dir, 'a-dir'));
    execFileSync('mkfifo', [path.join(dir, 'a-fifo')]);
    for (const [target, words] of [[path.join(dir, 'a-dir'), /a directory/], [path.join(dir, 'a-fifo'), /a named pipe/], ['/dev/null', /a device/]] as const) {
      const err = await writeUserFile(target, 'x').then(() => undefined, (e: unknown) => e);
      expect(err, target).toBeInstanceOf(NotARegularFileError);
      expect((err as Error).message).toContain(target);
      expect((err as Error).message).toMatch(words);
    }
    expect(await temps()).toEqual([]);
  });

  it('creates no directory: a missing parent is an error naming the path', async () => {
    const file = path.join(dir, 'missing', 'out.yaml');
    const err = await writeUserFile(file, 'x').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('ENOENT');
    expect((err as FsError).message).toContain(file);
    await expect(lstat(path.join(dir, 'missing'))).rejects.toThrow();
  });

  it('a read-only place gets a remedy about the path given, not about --home', async () => {
    vi.spyOn(fsOps, 'writeFile').mockRejectedValue(Object.assign(new Error('EROFS'), { code: 'EROFS' }));
    try {
      const err = (await writeUserFile(path.join(dir, 'ro.yaml'), 'x').then(() => undefined, (e: unknown) => e)) as FsError;
      expect(err).toBeInstanceOf(FsError);
      expect(err.hint).toMatch(/directory you can write|stdout/);
      expect(err.hint).not.toMatch(/--home/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

/** Each errno a file system can answer, and a word its message must carry. */
const ERRNOS: Record<string, RegExp> = {
  EACCES: /permission denied/, EROFS: /read-only/, ENOSPC: /disk is full/, EDQUOT: /quota/, EMFILE: /too many open files/,
  ENOTDIR: /file stands where a directory/, ELOOP: /symbolic links/, ENAMETOOLONG: /too long/, EIO: /I\/O error/,
};

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code, errno: -1, syscall: 'injected' });
}

describe('every errno × every operation: a clear error naming the destination, exit 2, nothing stray', () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-errno-'));
    root = path.join(base, 'root');
    await mkdir(path.join(root, 'src-dir'), { recursive: true });
    await writeFile(path.join(root, 'existing'), 'x');
    execFileSync('tar', ['czf', path.join(base, 't.tar.gz'), '-C', base, 'root/src-dir']);
  });
  afterAll(async () => { await rm(base, { recursive: true, force: true }); });
  afterEach(() => { vi.restoreAllMocks(); });

  // Each operation, the fs function it ends in, and the path its error must name.
  const cases: { op: string; fn: keyof typeof fsOps; run: (r: string) => Promise<unknown>; names: (r: string) => string }[] = [
    { op: 'mkdir', fn: 'mkdir', run: (r) => mkdirOwned(r, path.join(r, 'new-dir')), names: (r) => path.join(r, 'new-dir') },
    { op: 'write', fn: 'writeFile', run: (r) => writeOwned(r, path.join(r, 'out.json'), '{}'), names: (r) => path.join(r, 'out.json') },
    { op: 'write (its rename)', fn: 'rename', run: (r) => writeOwned(r, path.join(r, 'out2.json'), '{}'), names: (r) => path.join(r, 'out2.json') },
    { op: 'rename', fn: 'rename', run: (r) => renameOwned(r, path.join(r, 'existing'), path.join(r, 'moved')), names: (r) => path.join(r, 'moved') },
    { op: 'copy', fn: 'cp', run: (r) => copyOwned(r, path.join(r, 'src-dir'), path.join(r, 'copy')), names: (r) => path.join(r, 'copy') },
    { op: 'remove', fn: 'unlink', run: (r) => removeOwned(r, path.join(r, 'existing')), names: (r) => path.join(r, 'existing') },
    { op: 'remove (a tree)', fn: 'rm', run: (r) => removeOwned(r, path.join(r, 'src-dir'), { recursive: true }), names: (r) => path.join(r, 'src-dir') },
    { op: 'link', fn: 'symlink', run: (r) => linkOwned(r, '/etc', path.join(r, 'lnk')), names: (r) => path.join(r, 'lnk') },
    { op: 'chmod', fn: 'chmod', run: (r) => chmodOwned(r, path.join(r, 'existing'), 0o600), names: (r) => path.join(r, 'existing') },
    { op: 'write a user\'s file', fn: 'writeFile', run: (r) => writeUserFile(path.join(r, 'export.yaml'), 'x'), names: (r) => path.join(r, 'export.yaml') },
    { op: 'write a user\'s file (its rename)', fn: 'rename', run: (r) => writeUserFile(path.join(r, 'export2.yaml'), 'x'), names: (r) => path.join(r, 'export2.yaml') },
    { op: 'replace a user\'s file (its look)', fn: 'lstat', run: (r) => writeUserFile(path.join(r, 'existing'), 'x'), names: (r) => path.join(r, 'existing') },
  ];

  for (const c of cases) {
    for (const [code, words] of Object.entries(ERRNOS)) {
      it(`${c.op} × ${code}`, async () => {
        const before = (await readdir(root)).sort();
        vi.spyOn(fsOps, c.fn).mockRejectedValue(errno(code));
        const err = await c.run(root).then(() => undefined, (e: unknown) => e);
        expect(err, 'no false success').toBeInstanceOf(FsError);
        const e = err as FsError;
        expect(e.exitCode).toBe(ExitCode.failed);
        expect(e.code).toBe(code);
        expect(e.message).toContain(c.names(root));
        expect(e.message).toMatch(words);
        expect(e.hint.length).toBeGreaterThan(20);
        vi.restoreAllMocks();
        expect((await readdir(root)).sort(), 'nothing stray left behind').toEqual(before);
      });
    }
  }

  it('a download stream × ENOSPC names the file being written', async () => {
    const stream = await writeStreamOwned(root, path.join(root, 'big.part'));
    const failed = new Promise<unknown>((resolve) => stream.on('error', resolve));
    stream.emit('error', errno('ENOSPC'));
    const err = (await failed) as FsError;
    expect(err).toBeInstanceOf(FsError);
    expect(err.message).toContain(path.join(root, 'big.part'));
    expect(err.message).toMatch(/disk is full/);
    stream.destroy();
    await rm(path.join(root, 'big.part'), { force: true });
  });

  it('unpack × a damaged tarball is an error naming the destination', async () => {
    await writeFile(path.join(base, 'bad.tar.gz'), 'not a tarball');
    await mkdir(path.join(root, 'unpack-here'));
    const err = await extractOwned(root, path.join(base, 'bad.tar.gz'), path.join(root, 'unpack-here')).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect((err as Error).message).toContain(path.join(root, 'unpack-here'));
    await rm(path.join(root, 'unpack-here'), { recursive: true });
  });
});

// Real conditions, where they are cheap: a full tmpfs and a read-only bind mount (root only).
const isRoot = process.getuid?.() === 0;
describe.skipIf(!isRoot)('real full and read-only file systems', () => {
  let base: string;
  const mounts: string[] = [];
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-mounts-'));
  });
  afterAll(async () => {
    for (const m of mounts.reverse()) { try { execFileSync('umount', [m]); } catch { /* already */ } }
    await rm(base, { recursive: true, force: true });
  });

  it('a full disk: write and copy fail at once with "the disk is full" and the destination, leaving no temp file', async () => {
    const full = path.join(base, 'full');
    await mkdir(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    mounts.push(full);
    const err = await writeOwned(full, path.join(full, 'big'), Buffer.alloc(256 * 1024)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('ENOSPC');
    expect((err as FsError).message).toContain(path.join(full, 'big'));
    expect(await readdir(full)).toEqual([]);
  });

  it('a read-only file system: every change fails at once with EROFS and a remedy', async () => {
    const src = path.join(base, 'rw');
    const ro = path.join(base, 'ro');
    await mkdir(path.join(src, 'd'), { recursive: true });
    await writeFile(path.join(src, 'f'), 'x');
    await mkdir(ro);
    execFileSync('mount', ['--bind', src, ro]);
    mounts.push(ro);
    execFileSync('mount', ['-o', 'remount,ro,bind', ro]);
    for (const op of [
      () => writeOwned(ro, path.join(ro, 'new'), 'x'),
      () => mkdirOwned(ro, path.join(ro, 'nd')),
      () => removeOwned(ro, path.join(ro, 'f')),
      () => renameOwned(ro, path.join(ro, 'f'), path.join(ro, 'g')),
      () => removeOwned(ro, path.join(ro, 'd'), { recursive: true }),
    ]) {
      const err = await op().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(FsError);
      expect((err as FsError).code).toBe('EROFS');
      expect((err as FsError).hint).toMatch(/writable place/);
    }
  });
});
