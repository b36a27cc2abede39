/**
 * What a rolling upgrade does, decided without touching anything (pure): whether the move is
 * allowed, and which server goes next. Observers first (they do not vote), then followers, the
 * leader last, so the ensemble holds its quorum throughout and elects a leader only once, among
 * servers that already run the new release.
 */
import { memberVersion } from '../../options/member-versions.js';
import type { EnsembleSpec } from '../../options/types.js';
import { dataDirMoveProblem, isDowngrade } from '../../zk/version-facts.js';
import { parseZkVersion, type ZkVersion } from '../../zk/versions.js';

/** Why moving the ensemble's servers to `target` is refused, or undefined when it may go ahead. */
export function upgradeRefusal(spec: EnsembleSpec, target: ZkVersion, force: boolean): string | undefined {
  for (const m of spec.members) {
    const from = parseZkVersion(memberVersion(spec, m))!;
    const problem = dataDirMoveProblem(from, target);
    if (problem) return `server ${m.id}: ${problem}`;
    if (!force && isDowngrade(from, target)) {
      return `server ${m.id} runs ZooKeeper ${from.text}, newer than ${target.text}: a downgrade may meet data the older release cannot read (give --force to do it anyway)`;
    }
  }
  return undefined;
}

/** The servers still to move to `target`, by id. */
export function serversToMove(spec: EnsembleSpec, target: ZkVersion): number[] {
  return spec.members.filter((m) => memberVersion(spec, m) !== target.text).map((m) => m.id);
}

/** What the next step needs to know of a server right now. */
export interface ServerNow {
  id: number;
  role: string;
  running: boolean;
}

/**
 * Which of `remaining` to move next: a stopped server (nothing to wait for), then an observer,
 * then a follower or any other non-leader, and the leader last of all.
 */
export function nextServer(remaining: number[], now: ServerNow[]): number | undefined {
  const rank = (id: number) => {
    const s = now.find((x) => x.id === id);
    if (!s?.running) return 0;
    if (s.role === 'observer') return 1;
    if (s.role === 'leader' || s.role === 'standalone') return 3;
    return 2;
  };
  return [...remaining].sort((a, b) => rank(a) - rank(b) || a - b)[0];
}
