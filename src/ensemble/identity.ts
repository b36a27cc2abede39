/**
 * Which processes are an ensemble's servers, answered from the live process table (SPEC §11):
 * a live QuorumPeerMain whose zoo.cfg is `<ensemble dir>/zookeeper-<id>/conf/zoo.cfg`. Pid
 * files, ensemble.yaml and the directory itself may be damaged or gone; this still answers.
 */
import { serverProcesses, type ServerProcess } from '../edge/proctable.js';
import { serverOfConfig, type EnsemblePaths } from './layout.js';

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
