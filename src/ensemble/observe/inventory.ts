/**
 * `ls` and `gc`: every ensemble under a home dir as the disk and the process table show it,
 * including the damaged and the orphaned, and the servers that nothing owns any more.
 */
import { ensembleVersions } from '../../options/member-versions.js';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DamagedEnsembleError, ZkpseudoError } from '../../errors.js';
import { serverProcesses, type ServerProcess } from '../../edge/proctable.js';
import { isLockEntryName, isStaleLock, removeStaleLock } from '../../edge/lock.js';
import { liveServers, zkpseudoServersByDir, type LiveServer } from './identity.js';
import { ensemblePaths } from '../store/layout.js';
import { ownerAlive, readLease } from '../lease/lease.js';
import { probeEnsemble } from './probe.js';
import { stopProcess } from '../lifecycle/servers.js';
import { homeNotDirectory, readSpec } from '../store/spec-file.js';

export type EnsembleState = 'stopped' | 'healthy' | 'degraded' | 'no-quorum' | 'damaged' | 'orphaned';

export interface EnsembleEntry {
  name: string;
  dir: string;
  state: EnsembleState;
  /** Why it is damaged or orphaned. */
  reason?: string;
  /** The release the servers run; a mixed ensemble's as "3.8.0+3.9.3". */
  zkVersion: string | null;
  servers: number | null;
  running: number;
  pids: number[];
  connectString: string | null;
}

const exists = async (p: string) => !!(await stat(p).catch(() => undefined));

async function entryFor(home: string, name: string, table: ServerProcess[]): Promise<EnsembleEntry> {
  const paths = ensemblePaths(home, name);
  const live = await liveServers(paths, table);
  const pids = [...live.values()].map((s) => s.pid);
  const base = { name, dir: paths.dir, running: live.size, pids };
  if (!(await exists(paths.dir))) {
    return { ...base, state: 'orphaned', reason: 'its directory is gone; `zkpseudo gc` stops its servers', zkVersion: null, servers: null, connectString: null };
  }
  try {
    const spec = await readSpec(paths);
    const status = await probeEnsemble(paths, spec, 500, table);
    return {
      ...base, zkVersion: ensembleVersions(spec).join('+'), servers: spec.members.length, connectString: status.connectString,
      state: live.size === 0 ? 'stopped' : status.health.state,
    };
  } catch (err) {
    const reason = err instanceof DamagedEnsembleError ? `ensemble.yaml: ${err.reason}` : (err as Error).message;
    return { ...base, state: 'damaged', reason, zkVersion: null, servers: null, connectString: null };
  }
}

/** Every ensemble under `home`: directories that hold one, and directories gone whose servers still run. */
export async function listEnsembles(home: string): Promise<EnsembleEntry[]> {
  const table = await serverProcesses();
  const names = new Set<string>();
  // A home that is not there yet holds no ensembles; one that cannot be read is an error, as for `status`.
  const top = await readdir(home, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw homeNotDirectory(home);
    throw new ZkpseudoError(`Cannot read the home dir ${home} (${err.code ?? err.message}).`, 'Point --home (or ZKPSEUDO_HOME) at a directory you can read.');
  });
  for (const e of top) {
    if (!e.isDirectory()) continue;
    const inside = await readdir(path.join(home, e.name)).catch(() => [] as string[]);
    if (inside.some((f) => f === 'ensemble.yaml' || /^zookeeper-\d+$/.test(f))) names.add(e.name);
  }
  for (const dir of (await zkpseudoServersByDir(table)).keys()) if (path.dirname(dir) === home) names.add(path.basename(dir));
  const entries = await Promise.all([...names].map((n) => entryFor(home, n, table)));
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

export interface Reaped {
  dir: string;
  id: number;
  pid: number;
  reason: string;
  outcome: 'stopped' | 'killed' | 'would stop';
}

/** Why a zkpseudo server in `dir` has nothing to serve any more, or undefined when it still belongs. */
async function orphanReason(dir: string): Promise<string | undefined> {
  if (!(await exists(dir))) return 'its ensemble directory is gone';
  const paths = ensemblePaths(path.dirname(dir), path.basename(dir));
  try {
    await readSpec(paths);
  } catch (err) {
    return err instanceof DamagedEnsembleError ? `its ensemble.yaml is damaged (${err.reason})` : `its ensemble cannot be read (${(err as Error).message})`;
  }
  const lease = await readLease(paths);
  if (lease && !(await ownerAlive(lease))) return `its owner, pid ${lease.ownerPid}, has exited`;
  return undefined;
}

/**
 * Lock entries directly in `dir` (a `.lock` and what zkpseudo puts beside it) whose holder is
 * gone; each paired with `root`, the directory gc may change to remove it.
 */
async function staleLocks(dir: string, root: string): Promise<{ lock: string; root: string }[]> {
  const found: { lock: string; root: string }[] = [];
  for (const e of await readdir(dir).catch(() => [] as string[])) {
    const lock = path.join(dir, e);
    if (isLockEntryName(e) && (await isStaleLock(lock).catch(() => false))) found.push({ lock, root });
  }
  return found;
}

/** Where zkpseudo takes locks: the home (ensembles), the cache and its subdirectories. */
const CACHE_LOCK_DIRS = ['', 'trees', 'system', 'urls', 'dirs', 'cds'];

/**
 * Finds servers zkpseudo started, anywhere on this machine, whose ensemble directory is gone or
 * unreadable or whose owner has exited, and stops them (unless `dryRun`); removes stale locks
 * under the home and cache dirs. Only processes carrying zkpseudo's marker are ever touched.
 */
export async function collectGarbage(home: string, cache: string, dryRun: boolean): Promise<{ servers: Reaped[]; locks: string[] }> {
  const byDir = await zkpseudoServersByDir();
  const servers: Reaped[] = [];
  await Promise.all([...byDir].map(async ([dir, procs]: [string, LiveServer[]]) => {
    const reason = await orphanReason(dir);
    if (!reason) return;
    const paths = ensemblePaths(path.dirname(dir), path.basename(dir));
    await Promise.all(procs.map(async (p) => {
      const outcome = dryRun ? 'would stop' : await stopProcess(paths.server(p.id), p.pid);
      servers.push({ dir, id: p.id, pid: p.pid, reason, outcome: outcome === 'not-running' ? 'stopped' : outcome });
    }));
  }));
  const stale = [...(await staleLocks(home, home))];
  for (const sub of CACHE_LOCK_DIRS) stale.push(...(await staleLocks(path.join(cache, sub), cache)));
  const locks: string[] = [];
  // A lock is removed the way a contender takes one over: only if it is still stale then.
  for (const { lock, root } of stale) if (dryRun || (await removeStaleLock(lock, root))) locks.push(lock);
  return { servers: servers.sort((a, b) => a.dir.localeCompare(b.dir) || a.id - b.id), locks };
}
