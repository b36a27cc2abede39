/**
 * Which processes are an ensemble's servers, answered from the live process table (SPEC §11):
 * a live QuorumPeerMain whose zoo.cfg is `<ensemble dir>/zookeeper-<id>/conf/zoo.cfg`. Pid
 * files, ensemble.yaml and the directory itself may be damaged or gone; this still answers.
 */
import { processState, serverProcesses, type ServerProcess } from '../../edge/process/proctable.js';
import { readPidFile } from '../../edge/process/process.js';
import { canonicalPathSync } from '../../edge/fs/owned-fs.js';
import { ZkpseudoError } from '../../errors.js';
import { parseProperties } from '../../zk/config/properties.js';
import { serverOfConfig, type EnsemblePaths } from '../store/layout.js';

export interface LiveServer extends ServerProcess {
  id: number;
}

/**
 * A server's config path as the process table shows it, in canonical spelling: a server
 * started through another spelling of the same home (a symlink, `/tmp` vs `/private/tmp`) is
 * still recognised as that home's (the home itself is canonical, see store/layout).
 */
function canonicalConfig(p: ServerProcess): ServerProcess {
  const config = canonicalPathSync(p.config);
  return config === p.config ? p : { ...p, config };
}

/** The ensemble's live servers by id. Pass `table` to reuse one read of the process table. */
export async function liveServers(paths: EnsemblePaths, table?: ServerProcess[]): Promise<Map<number, LiveServer>> {
  const live = new Map<number, LiveServer>();
  for (const raw of table ?? (await serverProcesses())) {
    const p = canonicalConfig(raw);
    const where = serverOfConfig(p.config);
    if (where && where.dir === paths.dir && p.config === paths.server(where.id).config) live.set(where.id, { ...p, id: where.id });
  }
  return live;
}

/**
 * The same answer as liveServers for the given ids, faster when pid files are right: each pid
 * file is checked against its process's command line, and only if one cannot be confirmed is
 * the whole process table read. (`status` is run in loops; a table scan costs ~10 ms.)
 */
export async function liveServersFor(paths: EnsemblePaths, ids: number[]): Promise<Map<number, LiveServer>> {
  const hinted = await Promise.all(ids.map(async (id) => {
    const sp = paths.server(id);
    const pid = await readPidFile(sp.pidFile, sp.config);
    if (pid.state !== 'ours') return undefined;
    const state = await processState(pid.pid);
    return state === 'Z' ? undefined : { id, pid: pid.pid, config: sp.config, ours: true, ...(state ? { state } : {}) };
  }));
  if (hinted.every(Boolean)) return new Map(hinted.map((s) => [s!.id, s!]));
  return liveServers(paths);
}

/** Servers zkpseudo started anywhere on this machine, grouped by ensemble directory. */
export async function zkpseudoServersByDir(table?: ServerProcess[]): Promise<Map<string, LiveServer[]>> {
  const byDir = new Map<string, LiveServer[]>();
  for (const raw of table ?? (await serverProcesses())) {
    const p = canonicalConfig(raw);
    const where = serverOfConfig(p.config);
    if (!p.ours || !where) continue;
    byDir.set(where.dir, [...(byDir.get(where.dir) ?? []), { ...p, id: where.id }]);
  }
  return byDir;
}

/**
 * Live ZooKeeper processes that are not this ensemble's servers but use a data directory of
 * it (a server started by hand, or by another tool, with a config naming our dataDir): their
 * pid and config by server id. Starting ours as well would run two servers on one dataDir.
 */
export async function foreignDataDirUsers(paths: EnsemblePaths, ids: number[], table?: ServerProcess[]): Promise<Map<number, ServerProcess>> {
  const { readFile } = await import('node:fs/promises');
  const wanted = new Map(ids.map((id) => [paths.server(id).dataDir, id]));
  const found = new Map<number, ServerProcess>();
  for (const raw of table ?? (await serverProcesses())) {
    const p = canonicalConfig(raw);
    const where = serverOfConfig(p.config);
    if (where && where.dir === paths.dir) continue;
    const text = await readFile(p.config, 'utf8').catch(() => undefined);
    const dataDir = text === undefined ? undefined : parseProperties(text).dataDir;
    const id = dataDir ? wanted.get(canonicalPathSync(dataDir)) : undefined;
    if (id !== undefined) found.set(id, p);
  }
  return found;
}

/** Refuses to start servers whose data directory another live ZooKeeper process uses (see foreignDataDirUsers). */
export async function assertDataDirsFree(paths: EnsemblePaths, ids: number[], table?: ServerProcess[]): Promise<void> {
  const foreign = await foreignDataDirUsers(paths, ids, table);
  if (!foreign.size) return;
  const [id, p] = [...foreign][0]!;
  throw new ZkpseudoError(
    `Server ${id}'s data directory ${paths.server(id).dataDir} is in use by another ZooKeeper process (pid ${p.pid}, config ${p.config}); starting it too would run two servers on one data directory.`,
    `Stop that process first (it is not one of ensemble "${paths.name}"'s servers, so zkpseudo does not signal it), then run the command again.`,
  );
}
