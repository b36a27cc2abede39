/**
 * `ls` and `gc`: every ensemble under a home dir as the disk and the process table show it,
 * including the damaged and the orphaned, and the servers that nothing owns any more.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { DamagedEnsembleError, fromSystemError, NoSuchEnsembleError, ZkpseudoError } from '../../errors.js';
import { serverProcesses, type ServerProcess } from '../../edge/proctable.js';
import { commandLine } from '../../edge/process.js';
import { canonicalPathSync, removeOwned } from '../../edge/owned-fs.js';
import { liveServers, zkpseudoServersByDir, type LiveServer } from './identity.js';
import { ensemblePaths, type ServerPaths } from '../store/layout.js';
import { ownerAlive, readLease } from '../lease/lease.js';
import { probeEnsemble } from './probe.js';
import { stopProcess } from '../lifecycle/servers.js';
import { readSpec } from '../store/spec-file.js';
import { CDS_BUILDER_FLAG, scratchServerOf } from '../cds/archive.js';

export type EnsembleState = 'stopped' | 'healthy' | 'degraded' | 'no-quorum' | 'damaged' | 'orphaned';

export interface EnsembleEntry {
  name: string;
  dir: string;
  state: EnsembleState;
  /** Why it is damaged or orphaned. */
  reason?: string;
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
      ...base, zkVersion: spec.zkVersion, servers: spec.members.length, connectString: status.connectString,
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
  for (const e of await readdir(home, { withFileTypes: true }).catch((err: unknown) => { if (missing(err)) return []; throw systemError(err, home); })) {
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

/** Lock directories (`*.lock`) below `dir`, one level deep, whose holder is gone. */
async function staleLocks(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await entriesOf(dir)) {
    if (!e.endsWith('.lock')) continue;
    const target = path.join(dir, e.slice(0, -'.lock'.length));
    const held = await lockfile.check(target, { realpath: false, stale: 10_000 }).catch(() => true);
    if (!held) found.push(path.join(dir, e));
  }
  return found;
}

/** True when `a` and `b` name one directory (spelled alike, or alike once links are resolved). */
const samePlace = (a: string, b: string) => path.resolve(a) === path.resolve(b) || canonicalPathSync(a) === canonicalPathSync(b);

/** A scratch server of the CDS builder as stopProcess needs it (its pid file is `data/pid`, see builder.ts). */
function scratchPaths(config: string, id: number): ServerPaths {
  const root = path.dirname(path.dirname(config));
  const dataDir = path.join(root, 'data');
  return { id, root, bin: path.join(root, 'bin'), confDir: path.dirname(config), config, dataDir, myid: path.join(dataDir, 'myid'), pidFile: path.join(dataDir, 'pid'), logsDir: path.join(root, 'logs') };
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
      const outcome = dryRun ? 'would stop' as const : await stopProcess(scratchPaths(p.config, id), p.pid);
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
  const locks = [...(await staleLocks(home)), ...(await staleLocks(cache)), ...(await staleLocks(path.join(cache, 'trees')))];
  if (!dryRun) for (const l of locks) await rm(l, { recursive: true, force: true });
  const order = (a: { dir: string; id: number }, b: { dir: string; id: number }) => a.dir.localeCompare(b.dir) || a.id - b.id;
  return { servers: servers.sort(order), elsewhere: elsewhere.sort(order), locks };
}
