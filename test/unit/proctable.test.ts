/**
 * The process table answers truly or throws (issue "Trust by construction", item 5): every
 * errno a read of /proc can meet, injected into every read, is a ProcessTableError (exit 2)
 * naming the errno and the path — never "no such process", never an empty table. Only
 * ENOENT/ESRCH on one process's own file means that process has exited.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ZkpseudoError } from '../../src/errors.js';
import {
  listeningSockets, portHolder, processesWith, processState, ProcessTableError, procOps, serverProcesses, socketInodes, startTime,
  SERVER_MAIN_CLASS, SERVER_MARKER,
} from '../../src/edge/process/proctable.js';
import { commandLine, isAlive, readPidFile, signalServer, waitServerGone } from '../../src/edge/process/process.js';
import { stopProcess } from '../../src/ensemble/lifecycle/servers.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { downEnsemble } from '../../src/ensemble/lifecycle/ops.js';
import { listEnsembles } from '../../src/ensemble/observe/inventory.js';

const PID = 4242;
const CONFIG = '/h/e/zookeeper-1/conf/zoo.cfg';
const PORT = 2181;
const INODE = '999';

const real = { ...procOps };
let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-proctable-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
afterEach(() => { vi.restoreAllMocks(); });

const errno = (code: string, syscall: string, p: string) => Object.assign(new Error(`${code}: ${syscall} '${p}'`), { code, syscall, path: p });

/** The bytes /proc/<pid>/stat would hold for a process in `state`, started 777 ticks after boot. */
const statOf = (pid: number, state: string) => `${pid} (java) ${state} 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 5 3 0 0 20 0 30 0 777 1000000 300 ${Array(30).fill(0).join(' ')}\n`;

/**
 * A process table of one ZooKeeper server (pid 4242, listening on 2181 through fd 7), served
 * through procOps; `fail` makes one read throw. Anything else (a pid file) is read for real.
 */
function fakeTable(fail?: { fn: 'readdir' | 'readFile' | 'readlink'; path: string; error: Error }, state = 'S') {
  const files: Record<string, string> = {
    [`/proc/${PID}/cmdline`]: ['java', '-Xmx128m', SERVER_MARKER, '-cp', 'x', SERVER_MAIN_CLASS, CONFIG, ''].join('\0'),
    [`/proc/${PID}/stat`]: statOf(PID, state),
    '/proc/net/tcp': `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:${PORT.toString(16).toUpperCase()} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${INODE} 1 0 100 0 0 10 0\n`,
    '/proc/net/tcp6': '  sl  local_address remote_address st\n',
  };
  const dirs: Record<string, string[]> = { '/proc': ['1', String(PID), 'self', 'net'], [`/proc/${PID}/fd`]: ['0', '7'], '/proc/1/fd': [] };
  const links: Record<string, string> = { [`/proc/${PID}/fd/0`]: '/dev/null', [`/proc/${PID}/fd/7`]: `socket:[${INODE}]` };
  const enoent = (p: string) => errno('ENOENT', 'open', p);
  vi.spyOn(procOps, 'readdir').mockImplementation(async (dir) => {
    if (fail?.fn === 'readdir' && fail.path === dir) throw fail.error;
    if (dirs[dir]) return dirs[dir]!;
    throw enoent(dir);
  });
  vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => {
    if (fail?.fn === 'readFile' && fail.path === file) throw fail.error;
    if (files[file] !== undefined) return Buffer.from(files[file]!);
    if (file === '/proc/1/cmdline') return Buffer.from('/sbin/init\0');
    if (file === '/proc/1/stat') return Buffer.from(statOf(1, 'S'));
    if (file.startsWith('/proc/')) throw enoent(file);
    return real.readFile(file);
  });
  vi.spyOn(procOps, 'readlink').mockImplementation(async (link) => {
    if (fail?.fn === 'readlink' && fail.path === link) throw fail.error;
    if (links[link]) return links[link]!;
    throw enoent(link);
  });
  vi.spyOn(procOps, 'kill').mockImplementation((pid) => {
    if (pid === PID || pid === 1) return true;
    throw errno('ESRCH', 'kill', String(pid));
  });
}

/** Each read of the process table, and the operations that make it. */
const READS = [
  { read: 'list /proc', fn: 'readdir', path: '/proc' },
  { read: 'read a cmdline', fn: 'readFile', path: `/proc/${PID}/cmdline` },
  { read: 'read stat', fn: 'readFile', path: `/proc/${PID}/stat` },
  { read: 'list a process\'s fds', fn: 'readdir', path: `/proc/${PID}/fd` },
  { read: 'read an fd\'s socket', fn: 'readlink', path: `/proc/${PID}/fd/7` },
  { read: 'read the socket table', fn: 'readFile', path: '/proc/net/tcp' },
] as const;

type Read = (typeof READS)[number]['read'];

const OPERATIONS: { op: string; reads: Read[]; run: () => Promise<unknown> }[] = [
  { op: 'serverProcesses()', reads: ['list /proc', 'read a cmdline', 'read stat'], run: () => serverProcesses() },
  { op: 'processesWith(flag)', reads: ['list /proc', 'read a cmdline'], run: () => processesWith(SERVER_MARKER) },
  { op: 'commandLine(pid)', reads: ['read a cmdline'], run: () => commandLine(PID) },
  { op: 'isAlive(pid)', reads: ['read stat'], run: () => isAlive(PID) },
  { op: 'processState(pid)', reads: ['read stat'], run: () => processState(PID) },
  { op: 'startTime(pid)', reads: ['read stat'], run: () => startTime(PID) },
  { op: 'signalServer(pid)', reads: ['read a cmdline'], run: () => signalServer(PID, CONFIG, 'SIGCONT') },
  { op: 'waitServerGone(pid)', reads: ['read a cmdline', 'read stat'], run: () => waitServerGone(PID, CONFIG, 50, 10) },
  { op: 'socketInodes(pid)', reads: ['list a process\'s fds', 'read an fd\'s socket'], run: () => socketInodes(PID) },
  { op: 'listeningSockets()', reads: ['read the socket table'], run: () => listeningSockets() },
  { op: 'portHolder(port)', reads: ['list /proc', 'read the socket table', 'list a process\'s fds', 'read an fd\'s socket'], run: () => portHolder(PORT) },
];

const ERRNOS = ['EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'EIO', 'ENOMEM', 'EAGAIN', 'EINTR'];

describe('the fake table answers like the real one', () => {
  it('finds the server, its state, its socket and its port', async () => {
    fakeTable();
    expect(await serverProcesses()).toEqual([{ pid: PID, config: CONFIG, ours: true, state: 'S' }]);
    expect(await commandLine(PID)).toContain(SERVER_MAIN_CLASS);
    expect(await isAlive(PID)).toBe(true);
    expect(await startTime(PID)).toBe(777);
    expect([...(await socketInodes(PID))]).toEqual([INODE]);
    expect(await portHolder(PORT)).toBe(PID);
  });
});

describe('every errno × every read of the process table: an error naming both, never an answer', () => {
  for (const r of READS) {
    for (const o of OPERATIONS.filter((op) => op.reads.includes(r.read))) {
      for (const code of ERRNOS) {
        // Another user's process keeps its descriptors closed to us: portHolder says "cannot tell"
        // (undefined, which no caller takes for "nobody"); asked about one process, it is an error.
        const tolerated = o.op === 'portHolder(port)' && (code === 'EACCES' || code === 'EPERM') && r.read.includes('fd');
        it(`${code} on "${r.read}" (${r.path}) → ${o.op} ${tolerated ? 'cannot tell' : 'rejects'}`, async () => {
          fakeTable({ fn: r.fn, path: r.path, error: errno(code, r.fn === 'readdir' ? 'scandir' : r.fn === 'readlink' ? 'readlink' : 'open', r.path) });
          if (tolerated) {
            expect(await o.run()).toBeUndefined();
            return;
          }
          const err = await o.run().then((v) => v, (e: unknown) => e);
          expect(err, `${o.op} answered ${JSON.stringify(err)}`).toBeInstanceOf(ZkpseudoError);
          expect(err).toBeInstanceOf(ProcessTableError);
          expect((err as ZkpseudoError).exitCode).toBe(2);
          expect((err as Error).message).toContain(`(${code})`);
          expect((err as Error).message).toContain(r.path);
          expect((err as ZkpseudoError).hint).toMatch(/\S/);
        });
      }
    }
  }

  it('a message reads as one sentence with a remedy', async () => {
    fakeTable({ fn: 'readdir', path: '/proc', error: errno('EMFILE', 'scandir', '/proc') });
    const err = (await serverProcesses().catch((e: unknown) => e)) as ZkpseudoError;
    expect(err.message).toBe('Cannot read the process table (/proc): too many open files (EMFILE).');
    expect(err.hint).toMatch(/ulimit -n/);
  });

  for (const code of ['EINVAL', 'EIO']) {
    it(`kill(pid, 0) failing with ${code} is an error, not "gone"`, async () => {
      fakeTable();
      vi.spyOn(procOps, 'kill').mockImplementation(() => { throw errno(code, 'kill', String(PID)); });
      await expect(isAlive(PID)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(code) });
    });
  }

  for (const code of ERRNOS) {
    it(`${code} reading a pid file is an error, not "no pid file"`, async () => {
      fakeTable();
      const pidFile = path.join(root, `${code}.pid`);
      await writeFile(pidFile, String(PID));
      const real = procOps.readFile;
      vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => {
        if (file === pidFile) throw errno(code, 'open', pidFile);
        return real(file);
      });
      await expect(readPidFile(pidFile, CONFIG)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(`${pidFile}): `) });
    });
  }
});

describe('only ENOENT/ESRCH on one process\'s own file means it has exited', () => {
  for (const code of ['ENOENT', 'ESRCH']) {
    it(`${code} on its cmdline or stat: gone, and the rest of the table still answers`, async () => {
      fakeTable({ fn: 'readFile', path: `/proc/${PID}/cmdline`, error: errno(code, 'open', `/proc/${PID}/cmdline`) });
      expect(await serverProcesses()).toEqual([]);
      expect(await commandLine(PID)).toBeUndefined();
      vi.restoreAllMocks();
      fakeTable({ fn: 'readFile', path: `/proc/${PID}/stat`, error: errno(code, 'open', `/proc/${PID}/stat`) });
      expect(await isAlive(PID)).toBe(false);
      expect(await processState(PID)).toBeUndefined();
      expect(await serverProcesses()).toEqual([]);
    });
  }

  it('ESRCH from kill(pid, 0): gone; EPERM: alive (another user\'s)', async () => {
    fakeTable();
    expect(await isAlive(31337)).toBe(false);
    vi.spyOn(procOps, 'kill').mockImplementation(() => { throw errno('EPERM', 'kill', '1'); });
    expect(await isAlive(1)).toBe(true);
  });

  it('ENOENT listing /proc itself is an error (no /proc mounted), not an empty table', async () => {
    fakeTable({ fn: 'readdir', path: '/proc', error: errno('ENOENT', 'scandir', '/proc') });
    await expect(serverProcesses()).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/\/proc\b.*ENOENT/) });
  });
});

describe('stop reports "stopped" only for a process it saw exit', () => {
  const sp = () => ensemblePaths(root, 'e').server(1);

  it('says stopped once the server has left the table', async () => {
    fakeTable();
    const config = sp().config;
    const cmd = ['java', SERVER_MAIN_CLASS, config, ''].join('\0');
    const readFile = procOps.readFile;
    let signalled = false;
    vi.spyOn(procOps, 'kill').mockImplementation((pid, sig) => {
      if (sig === 'SIGTERM') signalled = true;
      if (signalled && sig === 0) throw errno('ESRCH', 'kill', String(pid));
      return true;
    });
    vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => (file === `/proc/${PID}/cmdline` ? Buffer.from(signalled ? '' : cmd) : readFile(file)));
    expect(await stopProcess(sp(), PID, 200)).toBe('stopped');
  });

  for (const code of ['EMFILE', 'EACCES', 'EIO']) {
    it(`${code} while watching it go: an error, never "stopped"`, async () => {
      fakeTable();
      const config = sp().config;
      const cmd = ['java', SERVER_MAIN_CLASS, config, ''].join('\0');
      let signalled = false;
      vi.spyOn(procOps, 'kill').mockImplementation((_pid, sig) => { if (sig === 'SIGTERM') signalled = true; return true; });
      vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => {
        if (file === `/proc/${PID}/cmdline`) {
          if (signalled) throw errno(code, 'open', file);
          return Buffer.from(cmd);
        }
        return real.readFile(file);
      });
      await expect(stopProcess(sp(), PID, 200)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(code) });
    });
  }

  it('a server that never goes, even after SIGKILL: an error, never "killed"', async () => {
    fakeTable();
    const config = sp().config;
    vi.spyOn(procOps, 'readFile').mockImplementation(async (file) => {
      if (file === `/proc/${PID}/cmdline`) return Buffer.from(['java', SERVER_MAIN_CLASS, config, ''].join('\0'));
      if (file === `/proc/${PID}/stat`) return Buffer.from(statOf(PID, 'D'));
      return real.readFile(file);
    });
    await expect(stopProcess(sp(), PID, 50)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/still runs .*SIGKILL/) });
  }, 10_000);
});

describe('commands over an unreadable table: an error, nothing signalled, nothing called stopped', () => {
  for (const code of ['EMFILE', 'EACCES']) {
    it(`${code} on /proc: down and ls fail with exit 2`, async () => {
      const home = path.join(root, `home-${code}`);
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.join(home, 'e', 'zookeeper-1'), { recursive: true });
      fakeTable({ fn: 'readdir', path: '/proc', error: errno(code, 'scandir', '/proc') });
      const kill = vi.spyOn(procOps, 'kill');
      await expect(downEnsemble({ paths: ensemblePaths(home, 'e'), env: {} })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(`/proc): `) });
      await expect(listEnsembles(home)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(code) });
      expect(kill.mock.calls.filter(([, sig]) => sig !== 0)).toEqual([]);
    });
  }
});

describe('a real condition: the open-file limit reached', () => {
  const dist = path.resolve(import.meta.dirname, '../../dist/edge/process/proctable.js');

  it('listing the servers with every descriptor taken (ulimit -n 20) fails naming EMFILE, never []', async () => {
    expect(existsSync(dist), 'build dist/ first (npx tsc -p tsconfig.json)').toBe(true);
    const script = [
      "import fs from 'node:fs';",
      `const { serverProcesses } = await import(${JSON.stringify(dist)});`,
      'const held = [];',
      "for (;;) { try { held.push(fs.openSync('/dev/null', 'r')); } catch { break; } }",
      'try { const r = await serverProcesses(); console.log(JSON.stringify({ answered: r })); }',
      'catch (e) { console.log(JSON.stringify({ name: e.name, exitCode: e.exitCode, message: e.message })); }',
    ].join('\n');
    const file = path.join(root, 'emfile.mjs');
    await writeFile(file, script);
    const { stdout } = await promisify(execFile)('bash', ['-c', `ulimit -n 20; exec "${process.execPath}" "${file}"`]);
    expect(JSON.parse(stdout)).toEqual({ name: 'ProcessTableError', exitCode: 2, message: 'Cannot read the process table (/proc): too many open files (EMFILE).' });
  });
});
