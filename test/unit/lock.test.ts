/**
 * The lock (src/edge/lock/lock.ts) on a real file system: it excludes within a process and across
 * processes, takes a dead holder's lock over at once, never takes a live one (not even one
 * stopped with SIGSTOP), handles every kind of garbage where the lock goes, turns every OS
 * error into an immediate error naming the lock, and stops waiting when aborted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InterruptedError, ZkpseudoError } from '../../src/errors.js';
import { FsError, fsOps } from '../../src/edge/fs/owned-fs.js';
import { isStaleLock, lockHolder, removeStaleLock, withLock, type LockHolder } from '../../src/edge/lock/lock.js';
import { decodeOwner, newOwner } from '../../src/edge/lock/lock-owner.js';
import { startTime } from '../../src/edge/process/proctable.js';
import { collectGarbage } from '../../src/ensemble/observe/inventory.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lockJs = path.join(repo, 'dist/edge/lock/lock.js');
let root: string;
let n = 0;
/** A fresh target path (its lock is `<target>.lock`) in a fresh directory. */
const fresh = async () => {
  const dir = path.join(root, `case-${++n}`);
  await mkdir(dir);
  return { dir, target: path.join(dir, 'ensemble'), lock: path.join(dir, 'ensemble.lock') };
};
const hourAgo = () => new Date(Date.now() - 3_600_000);
const isRoot = process.getuid?.() === 0;

/** Compiles dist/ when the lock's sources are newer: the child processes import the compiled module. */
function ensureBuilt(): void {
  const sources = ['edge/lock/lock.ts', 'edge/lock/lock-owner.ts', 'edge/fs/owned-fs.ts', 'edge/process/proctable.ts', 'errors.ts'].map((f) => path.join(repo, 'src', f));
  const built = existsSync(lockJs) ? statSync(lockJs).mtimeMs : 0;
  if (sources.some((s) => statSync(s).mtimeMs > built)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'inherit' });
}

/** A node child that takes the lock on `target`, prints `locked`, holds it `holdMs`, then prints `done` and `released`. */
function holder(target: string, holdMs: number, first = '', last = ''): ChildProcess & { out: () => string; err: () => string; exited: Promise<number | null> } {
  const code = `
    const { withLock } = await import(${JSON.stringify(lockJs)});
    await withLock(${JSON.stringify(target)}, 'the test lock', async () => {
      ${first}
      console.log('locked');
      await new Promise((r) => setTimeout(r, ${holdMs}));
      ${last}
      console.log('done');
    }, { waitMs: 20000 });
    console.log('released');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return Object.assign(child, { out: () => out, err: () => err, exited });
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const children: ChildProcess[] = [];
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-lock-'));
  ensureBuilt();
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) { c.kill('SIGCONT'); c.kill('SIGKILL'); }
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('withLock: exclusion', () => {
  it('a second contender waits, is told the holder (pid and command), and runs once the holder has released', async () => {
    const { target, lock } = await fresh();
    const log = path.join(root, `log-${n}`);
    const child = holder(target, 700, `(await import('node:fs')).appendFileSync(${JSON.stringify(log)}, 'child in\\n');`, `(await import('node:fs')).appendFileSync(${JSON.stringify(log)}, 'child out\\n');`);
    children.push(child);
    await until(() => child.out().includes('locked'));
    const seen: LockHolder[] = [];
    const ran = await withLock(target, 'the test lock', async () => readFile(log, 'utf8'), { waitMs: 10_000, onWait: (h) => seen.push(h) });
    expect(ran).toBe('child in\nchild out\n');
    expect(seen).toEqual([{ pid: child.pid, command: expect.stringContaining('node'), stopped: false, lockPath: lock }]);
    expect(await child.exited).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('the old call form withLock(target, what, fn, waitMs) still works and times out naming the holder', async () => {
    const { target } = await fresh();
    await withLock(target, 'ensemble "x"', async () => {
      const err = await withLock(target, 'ensemble "x"', async () => 'ran', 150).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZkpseudoError);
      expect((err as ZkpseudoError).message).toMatch(new RegExp(`ensemble "x" is held by pid ${process.pid} \\(\`.+\`\\), still running after 0\\.2 s`));
      expect((err as ZkpseudoError).hint).toMatch(/kill/);
    });
  });

  it.each(['ENOTEMPTY', 'EEXIST', 'ENOTDIR'])('a rename onto the lock that fails with %s once (a holder there then, gone since) is a lost race, not an error', async (code) => {
    const { target } = await fresh();
    const real = fsOps.rename;
    let failed = false;
    vi.spyOn(fsOps, 'rename').mockImplementation(async (from, to) => {
      if (!failed && String(to).endsWith('.lock')) {
        failed = true;
        throw Object.assign(new Error(`${code}: injected`), { code });
      }
      return real(from, to);
    });
    expect(await withLock(target, 'the test lock', async () => 'mine', { waitMs: 5000 })).toBe('mine');
    expect(failed).toBe(true);
  });

  it('holds under 12 concurrent withLock calls in one process', async () => {
    const { target, dir } = await fresh();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => withLock(target, 'the test lock', async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      inside--;
    }, { waitMs: 30_000 })));
    expect(most).toBe(1);
    expect(order).toHaveLength(12);
    expect(await readdir(dir)).toEqual([]);
  });

  it('holds across 4 processes taking it 5 times each', async () => {
    const { target, dir } = await fresh();
    const log = path.join(root, `log-${n}`);
    const code = `
      const { withLock } = await import(${JSON.stringify(lockJs)});
      const { appendFileSync } = await import('node:fs');
      for (let i = 0; i < 5; i++) {
        await withLock(${JSON.stringify(target)}, 'the test lock', async () => {
          appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
          await new Promise((r) => setTimeout(r, 5));
          appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        }, { waitMs: 60000 });
      }`;
    const procs = Array.from({ length: 4 }, () => spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'inherit' }));
    children.push(...procs);
    const codes = await Promise.all(procs.map((p) => new Promise((r) => p.on('exit', r))));
    expect(codes).toEqual([0, 0, 0, 0]);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(40);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^in /);
      expect(lines[i + 1]).toBe(lines[i]!.replace('in', 'out'));
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('withLock: the holder is judged by its liveness, never by age', () => {
  it('takes over at once the lock of a process that was SIGKILLed holding it', async () => {
    const { target, lock } = await fresh();
    const child = holder(target, 60_000);
    children.push(child);
    await until(() => child.out().includes('locked'));
    child.kill('SIGKILL');
    await child.exited;
    expect(await isStaleLock(lock)).toBe(true);
    const t0 = Date.now();
    const seen: LockHolder[] = [];
    expect(await withLock(target, 'the test lock', async () => 'mine', { waitMs: 10_000, onWait: (h) => seen.push(h) })).toBe('mine');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(seen).toEqual([]);
  });

  it('with a dead holder and 8 contenders at once, each still runs alone', async () => {
    const { target, dir } = await fresh();
    const child = holder(target, 60_000);
    children.push(child);
    await until(() => child.out().includes('locked'));
    child.kill('SIGKILL');
    await child.exited;
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 8 }, () => withLock(target, 'the test lock', async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    }, { waitMs: 30_000 })));
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a holder stopped with SIGSTOP keeps its lock, dated an hour back or not; resumed, it finishes without error', async () => {
    const { target, lock } = await fresh();
    const child = holder(target, 300);
    children.push(child);
    await until(() => child.out().includes('locked'));
    child.kill('SIGSTOP');
    // proper-lockfile judged a lock by its mtime (stale after 10 s): an hour is far beyond that.
    await utimes(lock, hourAgo(), hourAgo());
    await utimes(path.join(lock, 'owner.json'), hourAgo(), hourAgo());
    await new Promise((r) => setTimeout(r, 100));
    const seen: LockHolder[] = [];
    const t0 = Date.now();
    const err = await withLock(target, 'ensemble "paused"', async () => 'stolen', { waitMs: 1500, garbageAfterMs: 10, onWait: (h) => seen.push(h) }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect((err as ZkpseudoError).message).toContain(`ensemble "paused" is held by pid ${child.pid}`);
    expect((err as ZkpseudoError).message).toMatch(/stopped/);
    expect((err as ZkpseudoError).hint).toContain(`kill -CONT ${child.pid}`);
    expect(seen).toEqual([expect.objectContaining({ pid: child.pid, stopped: true })]);
    expect(await lockHolder(target)).toMatchObject({ pid: child.pid, stopped: true });
    expect(await isStaleLock(lock)).toBe(false);
    child.kill('SIGCONT');
    expect(await child.exited).toBe(0);
    expect(child.out()).toBe('locked\ndone\nreleased\n');
    expect(child.err()).toBe('');
    expect(existsSync(lock)).toBe(false);
  });

  it('a record naming a live pid with another start time (a reused pid) is taken over', async () => {
    const { target, lock } = await fresh();
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    await until(() => sleeper.pid !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    const real = await startTime(sleeper.pid!);
    expect(real).toBeDefined();
    const owner = { ...(await newOwner()), pid: sleeper.pid!, command: 'sleep 30' };
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ ...owner, startTime: real! + 1 }));
    expect(await withLock(target, 'the test lock', async () => 'mine', { waitMs: 2000 })).toBe('mine');
    // The same record with the right start time is a live holder: waited for, and named.
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ ...owner, startTime: real }));
    const err = await withLock(target, 'the test lock', async () => 'stolen', { waitMs: 200 }).catch((e: unknown) => e);
    expect((err as ZkpseudoError).message).toContain(`held by pid ${sleeper.pid} (\`sleep 30\`)`);
  });

  it('a lock this process failed to remove (its disk went read-only) does not block this process later', async () => {
    const { target, lock } = await fresh();
    const rename = vi.spyOn(fsOps, 'rename');
    await withLock(target, 'the test lock', async () => {
      rename.mockRejectedValue(Object.assign(new Error('EROFS: injected'), { code: 'EROFS' }));
    });
    rename.mockRestore();
    expect(existsSync(lock)).toBe(true);
    const t0 = Date.now();
    expect(await withLock(target, 'the test lock', async () => 'again', { waitMs: 5000 })).toBe('again');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('withLock: garbage where the lock goes', () => {
  const validRecord = async () => JSON.stringify(await newOwner());
  const records: [string, () => Promise<string>][] = [
    ['empty', async () => ''],
    ['truncated JSON', async () => (await validRecord()).slice(0, 30)],
    ['null', async () => 'null'],
    ['a list', async () => '[1,2]'],
    ['a number', async () => '42'],
    ['wrong types', async () => JSON.stringify({ ...JSON.parse(await validRecord()), pid: '123', startTime: 'x' })],
    ['pid 0', async () => JSON.stringify({ ...JSON.parse(await validRecord()), pid: 0 })],
    ['pid -1', async () => JSON.stringify({ ...JSON.parse(await validRecord()), pid: -1 })],
    ['pid 1.5', async () => JSON.stringify({ ...JSON.parse(await validRecord()), pid: 1.5 })],
    ['a huge string', async () => JSON.stringify({ ...JSON.parse(await validRecord()), command: 'x'.repeat(100_000) })],
    ['binary junk', async () => '\u0000\u00ff\ufffd{'],
  ];

  it.each(records)('owner.json %s: reported naming the lock while young, taken over once old; never a TypeError', async (_name, make) => {
    const { target, lock } = await fresh();
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), await make());
    const err = await withLock(target, 'the test lock', async () => 'too early', { waitMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect((err as ZkpseudoError).message).toContain(lock);
    expect((err as ZkpseudoError).message).toMatch(/owner record is damaged|larger than/);
    expect((err as ZkpseudoError).hint).toBeTruthy();
    expect(await isStaleLock(lock)).toBe(false);
    await utimes(lock, hourAgo(), hourAgo());
    expect(await isStaleLock(lock)).toBe(true);
    expect(await withLock(target, 'the test lock', async () => 'mine', { waitMs: 200 })).toBe('mine');
    expect(existsSync(lock)).toBe(false);
  });

  const entries: [string, (lock: string, dir: string) => Promise<void>][] = [
    ['a plain file', (lock) => writeFile(lock, 'x')],
    ['an empty directory', (lock) => mkdir(lock)],
    ['a symbolic link to a directory', async (lock, dir) => { await mkdir(path.join(dir, 'elsewhere')); await writeFile(path.join(dir, 'elsewhere', 'keep'), 'x'); await symlink(path.join(dir, 'elsewhere'), lock); }],
    ['a dangling symbolic link', (lock) => symlink('/nonexistent/zkpseudo', lock)],
    ['a directory whose owner.json is a symbolic link', async (lock, dir) => { await writeFile(path.join(dir, 'secret'), JSON.stringify(await newOwner())); await mkdir(lock); await symlink(path.join(dir, 'secret'), path.join(lock, 'owner.json')); }],
    ['a directory whose owner.json is a FIFO', async (lock) => { await mkdir(lock); execFileSync('mkfifo', [path.join(lock, 'owner.json')]); }],
  ];

  it.each(entries)('%s: waited on while young (error naming it), taken over once old, nothing outside it touched', async (_name, make) => {
    const { target, lock, dir } = await fresh();
    await make(lock, dir);
    const err = await withLock(target, 'the test lock', async () => 'too early', { waitMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect((err as ZkpseudoError).message).toContain(lock);
    execFileSync('touch', ['-h', '-d', '1 hour ago', lock]);
    expect(await withLock(target, 'the test lock', async () => 'mine', { waitMs: 200 })).toBe('mine');
    expect(existsSync(lock)).toBe(false);
    if (existsSync(path.join(dir, 'elsewhere'))) expect(await readdir(path.join(dir, 'elsewhere'))).toEqual(['keep']);
    if (existsSync(path.join(dir, 'secret'))) expect(decodeOwner(await readFile(path.join(dir, 'secret'), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('a directory that is not a lock (an ensemble named "x.lock") is reported at once and never removed, even by gc', async () => {
    const { target, lock } = await fresh();
    await mkdir(lock);
    await writeFile(path.join(lock, 'ensemble.yaml'), 'name: x.lock\n');
    await utimes(lock, hourAgo(), hourAgo());
    const t0 = Date.now();
    const err = await withLock(target, 'ensemble "ensemble"', async () => 'ran', { waitMs: 10_000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect((err as ZkpseudoError).message).toContain(`${lock} is in the way`);
    expect((err as ZkpseudoError).message).toContain('ensemble.yaml');
    expect(await isStaleLock(lock)).toBe(false);
    expect(await removeStaleLock(lock, path.dirname(lock))).toBe(false);
    expect(await readdir(lock)).toEqual(['ensemble.yaml']);
  });
});

describe('withLock: OS errors are immediate, name the lock, and run nothing', () => {
  const codes = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EMFILE', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EIO'];
  const ops = ['mkdir', 'writeFile', 'rename'] as const;
  const matrix = ops.flatMap((op) => codes.map((code) => [op, code] as const));

  it.each(matrix)('%s fails with %s', async (op, code) => {
    const { target, lock, dir } = await fresh();
    vi.spyOn(fsOps, op).mockRejectedValue(Object.assign(new Error(`${code}: injected`), { code }));
    const fn = vi.fn(async () => 'ran');
    const t0 = Date.now();
    const err = await withLock(target, 'the test lock', fn, { waitMs: 30_000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(FsError);
    const e = err as FsError;
    expect(e.code).toBe(code);
    expect(e.message).toContain(lock);
    expect(e.message).toContain(code);
    expect(e.hint.length).toBeGreaterThan(10);
    expect(e.exitCode).toBe(2);
    expect(fn).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a file where the lock\'s directory should be: an immediate error naming the lock', async () => {
    const { dir } = await fresh();
    await writeFile(path.join(dir, 'home'), 'not a directory');
    const target = path.join(dir, 'home', 'ensemble');
    const err = await withLock(target, 'the test lock', async () => 'ran', { waitMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).message).toContain(`${target}.lock`);
    expect((err as FsError).code).toBe('ENOTDIR');
  });
});

describe.skipIf(!isRoot)('withLock on real read-only and full file systems', () => {
  const mounts: string[] = [];
  let mountable = true;
  beforeAll(async () => {
    const probe = path.join(root, 'mount-probe');
    await mkdir(probe);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
    } catch {
      mountable = false;
    }
  });
  afterAll(() => {
    for (const m of mounts.reverse()) {
      try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
  });

  it('a read-only bind mount: EROFS at once, naming the lock — also when a stale lock sits there', async (ctx) => {
    if (!mountable) ctx.skip();
    const { dir } = await fresh();
    const src = path.join(dir, 'src');
    const ro = path.join(dir, 'ro');
    await mkdir(src);
    await mkdir(ro);
    await mkdir(path.join(src, 'stale.lock'));
    await writeFile(path.join(src, 'stale.lock', 'owner.json'), JSON.stringify({ ...(await newOwner()), pid: 4_000_000 }));
    execFileSync('mount', ['--bind', src, ro]);
    mounts.push(ro);
    execFileSync('mount', ['-o', 'remount,ro,bind', ro]);
    for (const name of ['fresh', 'stale']) {
      const t0 = Date.now();
      const fn = vi.fn(async () => 'ran');
      const err = await withLock(path.join(ro, name), 'the test lock', fn, { waitMs: 30_000 }).catch((e: unknown) => e);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(err).toBeInstanceOf(FsError);
      expect((err as FsError).code).toBe('EROFS');
      expect((err as FsError).message).toContain(path.join(ro, `${name}.lock`));
      expect((err as FsError).hint).toMatch(/writable/);
      expect(fn).not.toHaveBeenCalled();
    }
  });

  it('a full tmpfs: ENOSPC at once, naming the lock, nothing left behind', async (ctx) => {
    if (!mountable) ctx.skip();
    const { dir } = await fresh();
    const full = path.join(dir, 'full');
    await mkdir(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    mounts.push(full);
    try { execFileSync('dd', ['if=/dev/zero', `of=${path.join(full, 'filler')}`, 'bs=4k'], { stdio: 'ignore' }); } catch { /* dd stops at ENOSPC */ }
    const t0 = Date.now();
    const fn = vi.fn(async () => 'ran');
    const err = await withLock(path.join(full, 'ensemble'), 'the test lock', fn, { waitMs: 30_000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('ENOSPC');
    expect((err as FsError).message).toContain(path.join(full, 'ensemble.lock'));
    expect(fn).not.toHaveBeenCalled();
    expect(await readdir(full)).toEqual(['filler']);
  });
});

describe('withLock: cancelling', () => {
  it('aborting the signal ends a wait for a live holder within 100 ms, with an InterruptedError', async () => {
    const { target } = await fresh();
    await withLock(target, 'ensemble "x"', async () => {
      const controller = new AbortController();
      const waiting = withLock(target, 'ensemble "x"', async () => 'ran', { waitMs: 60_000, signal: controller.signal }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      controller.abort();
      const err = await waiting;
      expect(Date.now() - t0).toBeLessThan(100);
      expect(err).toBeInstanceOf(InterruptedError);
      expect((err as InterruptedError).message).toContain('ensemble "x"');
    });
  });

  it('an already aborted signal takes nothing and runs nothing', async () => {
    const { target, dir } = await fresh();
    const fn = vi.fn(async () => 'ran');
    const err = await withLock(target, 'the test lock', fn, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(fn).not.toHaveBeenCalled();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('gc helpers: isStaleLock, removeStaleLock, lockHolder', () => {
  it('tell a live holder from a dead one and remove only the dead one, and leftovers of dead processes', async () => {
    const { target, lock, dir } = await fresh();
    await withLock(target, 'the test lock', async () => {
      expect(await lockHolder(target)).toEqual({ pid: process.pid, command: expect.any(String), stopped: false, lockPath: lock });
      expect(await isStaleLock(lock)).toBe(false);
      expect(await removeStaleLock(lock, dir)).toBe(false);
      expect(existsSync(lock)).toBe(true);
    });
    expect(await lockHolder(target)).toBeUndefined();
    const child = holder(target, 60_000);
    children.push(child);
    await until(() => child.out().includes('locked'));
    child.kill('SIGKILL');
    await child.exited;
    expect(await lockHolder(target)).toBeUndefined();
    expect(await isStaleLock(lock)).toBe(true);
    expect(await removeStaleLock(lock, dir)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    const leftover = `${lock}.${child.pid}-0123456789ab.new`;
    await mkdir(leftover);
    appendFileSync(path.join(leftover, 'owner.json'), '{}');
    expect(await isStaleLock(leftover)).toBe(true);
    expect(await removeStaleLock(leftover, dir)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('gc removes stale locks only', () => {
  it('under the home and the cache: a dead holder\'s lock and old garbage go; a live lock and a directory that is not a lock stay', async () => {
    const { dir } = await fresh();
    const home = path.join(dir, 'home');
    const cache = path.join(dir, 'cache');
    await mkdir(path.join(cache, 'trees'), { recursive: true });
    await mkdir(home);
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const dead = JSON.stringify({ ...(await newOwner()), pid: gone.pid });
    for (const lock of [path.join(home, 'dead.lock'), path.join(cache, 'trees', '0123456789abcdef0123456789abcdef.lock')]) {
      await mkdir(lock);
      await writeFile(path.join(lock, 'owner.json'), dead);
    }
    await mkdir(path.join(home, 'empty.lock'));
    await utimes(path.join(home, 'empty.lock'), hourAgo(), hourAgo());
    await mkdir(path.join(home, 'x.lock'));
    await writeFile(path.join(home, 'x.lock', 'ensemble.yaml'), 'name: x.lock\n');
    await utimes(path.join(home, 'x.lock'), hourAgo(), hourAgo());
    const stale = [path.join(home, 'dead.lock'), path.join(home, 'empty.lock'), path.join(cache, 'trees', '0123456789abcdef0123456789abcdef.lock')];
    await withLock(path.join(home, 'live'), 'the test lock', async () => {
      const dry = await collectGarbage(home, cache, { dryRun: true });
      expect([...dry.locks].sort()).toEqual([...stale].sort());
      expect(existsSync(stale[0]!)).toBe(true);
      const done = await collectGarbage(home, cache, { dryRun: false });
      expect([...done.locks].sort()).toEqual([...stale].sort());
      expect((await readdir(home)).sort()).toEqual(['live.lock', 'x.lock']);
      expect(await readdir(path.join(home, 'x.lock'))).toEqual(['ensemble.yaml']);
      expect(await readdir(path.join(cache, 'trees'))).toEqual([]);
    });
  });
});
