/**
 * The process table, read-only: which ZooKeeper servers (and zkpseudo helpers) are alive, and
 * which sockets a process holds. This — not a pid file — is how every command knows what runs
 * (SPEC §11). Linux reads /proc; elsewhere `ps` answers (paths with spaces are then matched by
 * suffix, the best ps can do).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export const SERVER_MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** Put on every server's JVM command line, so `gc` can tell our servers from anyone else's. */
export const SERVER_MARKER = '-Dzkpseudo.server=1';

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

export interface ServerProcess {
  pid: number;
  /** The zoo.cfg path the server was started with (the argument after QuorumPeerMain). */
  config: string;
  /** True when zkpseudo started it (its command line carries SERVER_MARKER). */
  ours: boolean;
  /** Linux process state letter (R, S, T for stopped/paused, Z for zombie); undefined off Linux. */
  state?: string;
}

async function procPids(): Promise<number[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  const entries = await readdir('/proc').catch(() => undefined);
  return entries?.filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Every process whose argument list contains `needle`, with its arguments. */
export async function processesWith(needle: string): Promise<ProcessInfo[]> {
  const pids = await procPids();
  if (pids) {
    const found = await Promise.all(pids.map(async (pid) => {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
      if (!raw.includes(needle)) return undefined;
      // cmdline bytes are the raw argv; read as UTF-8 once we know it matters.
      const utf8 = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return { pid, argv: utf8.split('\0').filter(Boolean) };
    }));
    return found.filter((p): p is ProcessInfo => !!p && p.argv.length > 0);
  }
  const { execa } = await import('execa');
  const ps = await execa('ps', ['-axww', '-o', 'pid=,args='], { reject: false });
  return ps.stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    return m && m[2]!.includes(needle) ? [{ pid: Number(m[1]), argv: m[2]!.split(/\s+/) }] : [];
  });
}

/** Linux process state letter, or undefined when unknown (gone, or not Linux). */
export async function processState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat ? /^\d+ \(.*\) (\S)/s.exec(stat)?.[1] : undefined;
}

/** Every live ZooKeeper server process on this machine (zombies excluded). */
export async function serverProcesses(): Promise<ServerProcess[]> {
  const procs = await processesWith(SERVER_MAIN_CLASS);
  const servers = await Promise.all(procs.map(async ({ pid, argv }) => {
    const at = argv.indexOf(SERVER_MAIN_CLASS);
    if (at < 0) return undefined;
    const config = argv.slice(at + 1).join(' ');
    const state = await processState(pid);
    if (state === 'Z' || !config) return undefined;
    return { pid, config, ours: argv.includes(SERVER_MARKER), ...(state ? { state } : {}) };
  }));
  return servers.filter((s): s is ServerProcess => !!s);
}

/** Process start time in clock ticks since boot (Linux), to tell a pid from a later reuse of it. */
export async function startTime(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const t = Number(fields[19]);
  return Number.isFinite(t) ? t : undefined;
}

/** Inodes of the sockets listening on each local TCP port (from /proc/net/tcp and tcp6). */
export async function listeningSockets(): Promise<Map<number, Set<string>> | undefined> {
  if (process.platform !== 'linux') return undefined;
  const byPort = new Map<number, Set<string>>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (cols[3] !== '0A' || !cols[1] || !cols[9]) continue;
      const port = parseInt(cols[1].split(':')[1] ?? '', 16);
      if (!byPort.has(port)) byPort.set(port, new Set());
      byPort.get(port)!.add(cols[9]);
    }
  }
  return byPort;
}

/** Inodes of every socket a process has open (empty when it cannot be read). */
export async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  await Promise.all(fds.map(async (fd) => {
    const inode = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))?.[1];
    if (inode) inodes.add(inode);
  }));
  return inodes;
}

/** The pid listening on a port, found through /proc; undefined when it cannot be told. */
export async function portHolder(port: number, listening?: Map<number, Set<string>>): Promise<number | undefined> {
  const table = listening ?? (await listeningSockets());
  const wanted = table?.get(port);
  if (!wanted?.size) return undefined;
  for (const pid of (await procPids()) ?? []) {
    const inodes = await socketInodes(pid);
    for (const i of wanted) if (inodes.has(i)) return pid;
  }
  return undefined;
}
