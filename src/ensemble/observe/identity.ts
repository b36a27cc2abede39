/**
 * Which processes are an ensemble's servers, answered from the live process table (SPEC §11):
 * a live QuorumPeerMain whose zoo.cfg is `<ensemble dir>/zookeeper-<id>/conf/zoo.cfg`. Pid
 * files, ensemble.yaml and the directory itself may be damaged or gone; this still answers.
 */
import { processState, serverProcesses, type ServerProcess } from '../../edge/proctable.js';
import { readPidFile } from '../../edge/process.js';
import { serverOfConfig, type EnsemblePaths } from '../store/layout.js';

export interface LiveServer extends ServerProcess {
  id: number;
}

/** The ensemble's live servers by id. Pass `table` to reuse one read of the process table. */
export async function liveServers(paths: EnsemblePaths, table?: ServerProcess[]): Promise<Map<number, LiveServer>> {
  const live = new Map<number, LiveServer>();
  for (const p of table ?? (await serverProcesses())) {
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
  for (const p of table ?? (await serverProcesses())) {
    const where = serverOfConfig(p.config);
    if (!p.ours || !where) continue;
    byDir.set(where.dir, [...(byDir.get(where.dir) ?? []), { ...p, id: where.id }]);
  }
  return byDir;
}
