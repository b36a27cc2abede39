/**
 * `ls` and `gc`: every ensemble under a home dir as the disk and the process table show it,
 * including the damaged and the orphaned, and the servers that nothing owns any more.
 */
import { ensembleVersions } from '../../options/member-versions.js';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DamagedEnsembleError, fromSystemError, NoSuchEnsembleError, ZkpseudoError } from '../../errors.js';
import { serverProcesses, type ServerProcess } from '../../edge/process/proctable.js';
import { isLockEntryName, isStaleLock, removeStaleLock } from '../../edge/lock/lock.js';
import { commandLine } from '../../edge/process/process.js';
import { canonicalPathSync, removeOwned } from '../../edge/fs/owned-fs.js';
import { liveServers, zkpseudoServersByDir, type LiveServer } from './identity.js';
import { ensemblePaths, type ServerPaths } from '../store/layout.js';
import { ownerAlive, readLease } from '../lease/lease.js';
import { probeEnsemble } from './probe.js';
import { stopProcess } from '../lifecycle/servers.js';
import { homeNotDirectory, readSpec } from '../store/spec-file.js';
import { CDS_BUILDER_FLAG, scratchServerOf } from '../cds/archive.js';

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

/** Whether `p` exists; an error when the system cannot say (EMFILE, EIO…), never "gone". */
async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if (missing(err)) return false;
    throw systemError(err, p);
  }
}

const missing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

function systemError(err: unknown, p: string): ZkpseudoError {
  return fromSystemError(err) ?? new ZkpseudoError(`Cannot read ${p}: ${(err as Error).message}.`, 'Run the command again once it can be read.', undefined, { cause: err });
}

/** The entries of a directory; [] when it is not there (any more), an error when it cannot be read. */
async function entriesOf(dir: string): Promise<string[]> {
  return readdir(dir).catch((err: unknown) => {
    if (missing(err)) return [];
    throw systemError(err, dir);
  });
}

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
    // Only what is wrong with the ensemble is "damaged"; an unreadable process table or file is an error.
    if (!(err instanceof DamagedEnsembleError) && !(err instanceof NoSuchEnsembleError)) throw err;
    const reason = err instanceof DamagedEnsembleError ? `ensemble.yaml: ${err.reason}` : 'it has no ensemble.yaml';
    return { ...base, state: 'damaged', reason, zkVersion: null, servers: null, connectString: null };
  }
}

/** Every ensemble under `home`: directories that hold one, and directories gone whose servers still run. */
export async function listEnsembles(home: string): Promise<EnsembleEntry[]> {
  const table = await serverProcesses();
  const names = new Set<string>();
  // A home that is not there yet holds no ensembles; a file is a usage error, as for `status`.
  const top = await readdir(home, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTDIR') throw homeNotDirectory(home);
    if (missing(err)) return [];
    throw systemError(err, home);
  });
  for (const e of top) {
    if (!e.isDirectory()) continue;
    const inside = await entriesOf(path.join(home, e.name));
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

/** An orphaned zkpseudo server `gc` saw and left running: it lies outside the home it was given. */
export interface SeenElsewhere {
  dir: string;
  id: number;
  pid: number;
  reason: string;
}

export interface Garbage {
  servers: Reaped[];
  /** Orphans outside the home (only without `all`): reported, never stopped. */
  elsewhere: SeenElsewhere[];
  locks: string[];
}

/** Why a zkpseudo server in `dir` has nothing to serve any more, or undefined when it still belongs. */
async function orphanReason(dir: string): Promise<string | undefined> {
  if (!(await exists(dir))) return 'its ensemble directory is gone';
  const paths = ensemblePaths(path.dirname(dir), path.basename(dir));
  try {
    await readSpec(paths);
  } catch (err) {
    if (err instanceof DamagedEnsembleError) return `its ensemble.yaml is damaged (${err.reason})`;
    if (err instanceof NoSuchEnsembleError) return 'its ensemble.yaml is gone';
    // The file could not be read just now (EMFILE, EIO…): that proves nothing about the ensemble.
    throw err;
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

/** True when `a` and `b` name one directory (spelled alike, or alike once links are resolved). */
const samePlace = (a: string, b: string) => path.resolve(a) === path.resolve(b) || canonicalPathSync(a) === canonicalPathSync(b);

/** A scratch server of the CDS builder as stopProcess needs it (its pid file is `data/pid`, see builder.ts). */
function scratchPaths(config: string, id: number, cache: string): ServerPaths {
  const root = path.dirname(path.dirname(config));
  const dataDir = path.join(root, 'data');
  return { id, home: cache, root, bin: path.join(root, 'bin'), confDir: path.dirname(config), config, dataDir, myid: path.join(dataDir, 'myid'), pidFile: path.join(dataDir, 'pid'), logsDir: path.join(root, 'logs') };
}

/**
 * The CDS builder's scratch servers under `cache` whose builder has exited (it stops them
 * itself unless it was killed), stopped unless `dryRun`; a work dir all of whose servers were
 * stopped is removed.
 */
async function reapScratch(cache: string, table: ServerProcess[], dryRun: boolean): Promise<Reaped[]> {
  const reaped: Reaped[] = [];
  const byWork = new Map<string, { builderPid: number; servers: { p: ServerProcess; id: number }[] }>();
  for (const p of table) {
    const s = scratchServerOf(cache, p.config) ?? scratchServerOf(canonicalPathSync(cache), p.config);
    if (!s) continue;
    const entry = byWork.get(s.workDir) ?? { builderPid: s.builderPid, servers: [] };
    entry.servers.push({ p, id: s.id });
    byWork.set(s.workDir, entry);
  }
  for (const [workDir, { builderPid, servers }] of byWork) {
    if ((await commandLine(builderPid))?.includes(CDS_BUILDER_FLAG)) continue;
    const reason = `a scratch server of the CDS archive builder (pid ${builderPid}), which has exited`;
    const outcomes = await Promise.all(servers.map(async ({ p, id }) => {
      const outcome = dryRun ? 'would stop' as const : await stopProcess(scratchPaths(p.config, id, cache), p.pid);
      reaped.push({ dir: workDir, id, pid: p.pid, reason, outcome: outcome === 'not-running' ? 'stopped' : outcome });
      return outcome;
    }));
    if (!dryRun && outcomes.every((o) => o === 'stopped' || o === 'killed')) await removeOwned(cache, workDir, { recursive: true });
  }
  return reaped;
}

/**
 * Finds servers zkpseudo started whose ensemble directory is gone or unreadable or whose owner
 * has exited, and stops them (unless `dryRun`) — those of ensembles under `home`, and the
 * scratch servers a dead CDS builder left under `cache`; with `all`, every such server on the
 * machine. Orphans elsewhere are reported in `elsewhere`, not touched. Removes stale locks
 * under the home and cache dirs. Only processes carrying zkpseudo's marker (or running from
 * the cache's builder scratch) are ever touched.
 */
export async function collectGarbage(home: string, cache: string, opts: { dryRun: boolean; all?: boolean }): Promise<Garbage> {
  const { dryRun, all = false } = opts;
  const table = await serverProcesses();
  const byDir = await zkpseudoServersByDir(table);
  const servers: Reaped[] = [];
  const elsewhere: SeenElsewhere[] = [];
  await Promise.all([...byDir].map(async ([dir, procs]: [string, LiveServer[]]) => {
    const reason = await orphanReason(dir);
    if (!reason) return;
    if (!all && !samePlace(path.dirname(dir), home)) {
      for (const p of procs) elsewhere.push({ dir, id: p.id, pid: p.pid, reason });
      return;
    }
    const paths = ensemblePaths(path.dirname(dir), path.basename(dir));
    await Promise.all(procs.map(async (p) => {
      const outcome = dryRun ? 'would stop' : await stopProcess(paths.server(p.id), p.pid);
      servers.push({ dir, id: p.id, pid: p.pid, reason, outcome: outcome === 'not-running' ? 'stopped' : outcome });
    }));
  }));
  servers.push(...(await reapScratch(cache, table, dryRun)));
  const stale = [...(await staleLocks(home, home))];
  for (const sub of CACHE_LOCK_DIRS) stale.push(...(await staleLocks(path.join(cache, sub), cache)));
  const locks: string[] = [];
  // A lock is removed the way a contender takes one over: only if it is still stale then.
  for (const { lock, root } of stale) if (dryRun || (await removeStaleLock(lock, root))) locks.push(lock);
  const order = (a: { dir: string; id: number }, b: { dir: string; id: number }) => a.dir.localeCompare(b.dir) || a.id - b.id;
  return { servers: servers.sort(order), elsewhere: elsewhere.sort(order), locks };
}
