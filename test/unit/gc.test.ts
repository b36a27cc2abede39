/**
 * `gc` stops only what lies under the home it was given (and the cache's CDS builder scratch);
 * orphans elsewhere are reported, not touched, unless `--all` (issue "Trust by construction",
 * item 5). The process table is faked through procOps; no process is ever signalled.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { procOps, SERVER_MAIN_CLASS, SERVER_MARKER } from '../../src/edge/process/proctable.js';
import { collectGarbage } from '../../src/ensemble/observe/inventory.js';
import { scratchServerOf } from '../../src/ensemble/cds/archive.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-gc-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
afterEach(() => { vi.restoreAllMocks(); });

const real = { ...procOps };

/** A process table of the given JVMs; SIGTERM or SIGKILL makes one leave it. Returns the signals sent. */
function fakeTable(procs: Record<number, string[]>): [number, string | number][] {
  const sent: [number, string | number][] = [];
  const gone = new Set<number>();
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  vi.spyOn(procOps, 'readdir').mockImplementation(async (dir) => {
    if (dir === '/proc') return Object.keys(procs).map(String).filter((p) => !gone.has(Number(p)));
    if (dir.startsWith('/proc/')) throw enoent(dir);
    return real.readdir(dir);
  });
  vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => {
    const m = /^\/proc\/(\d+)\/(cmdline|stat)$/.exec(file);
    if (!m) return file.startsWith('/proc/') ? Promise.reject(enoent(file)) : real.readFile(file);
    const pid = Number(m[1]);
    if (!procs[pid] || gone.has(pid)) throw enoent(file);
    return Buffer.from(m[2] === 'cmdline' ? [...procs[pid]!, ''].join('\0') : `${pid} (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`);
  });
  vi.spyOn(procOps, 'kill').mockImplementation((pid, sig) => {
    if (!procs[pid] || gone.has(pid)) throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
    if (sig !== 0) sent.push([pid, sig]);
    if (sig === 'SIGTERM' || sig === 'SIGKILL') gone.add(pid);
    return true;
  });
  return sent;
}

const server = (config: string, marker = true) => ['java', ...(marker ? [SERVER_MARKER] : []), '-cp', 'x', SERVER_MAIN_CLASS, config];

describe('gc', () => {
  it('stops orphans under --home, reports (never signals) orphans under another home; --all stops both', async () => {
    const home = path.join(root, 'a', 'home');
    const other = path.join(root, 'b', 'home');
    const cache = path.join(root, 'a', 'cache');
    await mkdir(path.join(home, 'live', 'zookeeper-1'), { recursive: true });
    await mkdir(cache, { recursive: true });
    const table = {
      // home/gone's directory was removed: an orphan under --home.
      101: server(path.join(home, 'gone', 'zookeeper-1', 'conf', 'zoo.cfg')),
      // other/gone: an orphan under another home.
      201: server(path.join(other, 'gone', 'zookeeper-2', 'conf', 'zoo.cfg')),
      // A ZooKeeper zkpseudo did not start: never touched.
      301: server(path.join(home, 'gone', 'zookeeper-3', 'conf', 'zoo.cfg'), false),
    };
    let sent = fakeTable(table);
    const dry = await collectGarbage(home, cache, { dryRun: true });
    expect(dry.servers).toEqual([expect.objectContaining({ pid: 101, outcome: 'would stop', reason: expect.stringMatching(/directory is gone/) })]);
    expect(dry.elsewhere).toEqual([expect.objectContaining({ pid: 201, dir: path.join(other, 'gone'), id: 2 })]);
    expect(sent).toEqual([]);

    const scoped = await collectGarbage(home, cache, { dryRun: false });
    expect(scoped.servers.map((s) => [s.pid, s.outcome])).toEqual([[101, 'stopped']]);
    expect(scoped.elsewhere.map((s) => s.pid)).toEqual([201]);
    expect(sent.map(([pid]) => pid)).not.toContain(201);
    expect(sent.map(([pid]) => pid)).not.toContain(301);

    vi.restoreAllMocks();
    sent = fakeTable(table);
    const all = await collectGarbage(home, cache, { dryRun: false, all: true });
    expect(all.servers.map((s) => s.pid).sort()).toEqual([101, 201]);
    expect(all.elsewhere).toEqual([]);
    expect(sent.map(([pid]) => pid)).not.toContain(301);
  });

  it('stops the scratch servers of a CDS builder that died, and leaves a live builder\'s alone', async () => {
    const home = path.join(root, 'c', 'home');
    const cache = path.join(root, 'c', 'cache');
    await mkdir(home, { recursive: true });
    const deadWork = path.join(cache, 'cds', 'work-999001');
    await mkdir(path.join(deadWork, 'server-1', 'data'), { recursive: true });
    const sent = fakeTable({
      401: server(path.join(deadWork, 'server-1', 'conf', 'zoo.cfg'), false),
      402: server(path.join(cache, 'cds', 'work-500', 'server-1', 'conf', 'zoo.cfg'), false),
      500: ['node', '/x/builder-main.js', '--zkpseudo-cds-builder', '/tree', '/archive', '[]'],
    });
    const r = await collectGarbage(home, cache, { dryRun: false });
    expect(r.servers).toEqual([expect.objectContaining({ pid: 401, dir: deadWork, outcome: 'stopped', reason: expect.stringMatching(/CDS archive builder \(pid 999001\)/) })]);
    expect(sent.map(([pid]) => pid)).not.toContain(402);
    // Its scratch directory went with it.
    await expect(import('node:fs/promises').then((fs) => fs.stat(deadWork))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an unreadable process table is an error, and nothing is stopped', async () => {
    fakeTable({ 101: server(path.join(root, 'x', 'gone', 'zookeeper-1', 'conf', 'zoo.cfg')) });
    vi.spyOn(procOps, 'readdir').mockRejectedValue(Object.assign(new Error('EMFILE'), { code: 'EMFILE' }));
    await expect(collectGarbage(root, path.join(root, 'cache'), { dryRun: false, all: true })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('EMFILE') });
  });
});

describe('scratchServerOf', () => {
  it('recognises the builder\'s scratch layout under the cache, and nothing else', () => {
    expect(scratchServerOf('/c', '/c/cds/work-12/server-2/conf/zoo.cfg')).toEqual({ builderPid: 12, id: 2, workDir: '/c/cds/work-12' });
    expect(scratchServerOf('/c', '/d/cds/work-12/server-2/conf/zoo.cfg')).toBeUndefined();
    expect(scratchServerOf('/c', '/c/cds/work-12/server-2/conf/zoo.cfg.bak')).toBeUndefined();
    expect(scratchServerOf('/c', '/c/cds/work-12/../x/server-2/conf/zoo.cfg')).toBeUndefined();
    expect(scratchServerOf('/c', '/c/home/e/zookeeper-1/conf/zoo.cfg')).toBeUndefined();
  });
});
