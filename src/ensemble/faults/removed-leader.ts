/**
 * The leader the last fault removed. `kill leader` and `wait new-leader` are separate commands,
 * and the survivors often elect a new leader (~0.6 s) before `wait` first looks: a `wait` that
 * took the leader it saw first as "the old one" would then wait for yet another election. So
 * every kill, stop, restart, pause, isolate or partition that takes the leader away records
 * which server led and in which epoch, in `<ensemble>/removed-leader.json`, and `new-leader`
 * means a leader other than that one, elected in a later epoch — however late `wait` starts.
 */
import path from 'node:path';
import { removeOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import { int, is, nullable, object, oneOf, readBack, type Decoder } from '../../edge/fs/decode.js';
import { zxidEpoch } from '../../zk/state/zxid.js';
import type { EnsemblePaths } from '../store/layout.js';

export const REMOVED_LEADER_FILE = 'removed-leader.json';

/** What took the leader away. */
export type RemovingFault = 'kill' | 'stop' | 'restart' | 'pause' | 'isolate' | 'partition';
const FAULTS: readonly RemovingFault[] = ['kill', 'stop', 'restart', 'pause', 'isolate', 'partition'];

export interface RemovedLeader {
  /** The server that led when the fault struck. */
  leader: number;
  /** Its election epoch (the high 32 bits of its zxid), or null when its zxid was not known. */
  epoch: number | null;
  by: RemovingFault;
  /** When, as an ISO date. */
  at: string;
}

/** Anything bigger than this was not written by zkpseudo. */
const MAX_BYTES = 1024;

const fileOf = (paths: EnsemblePaths) => path.join(paths.dir, REMOVED_LEADER_FILE);

/** The record as noteRemovedLeader writes it; anything else is damaged (edge/fs/decode). */
export const REMOVED_LEADER: Decoder<RemovedLeader> = object<RemovedLeader>({
  leader: int(1, 255, 'a server id'),
  epoch: nullable(int(0, 0xffffffff, 'an election epoch')),
  by: oneOf<RemovingFault>(...FAULTS),
  at: is<string>('a date', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))),
});

/**
 * The record, or undefined when there is none. A damaged one counts as none (the wait then
 * falls back to the leader it sees first); with `onNotice` it is moved aside and named.
 */
export async function readRemovedLeader(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<RemovedLeader | undefined> {
  const read = await readBack(fileOf(paths), REMOVED_LEADER, {
    maxBytes: MAX_BYTES,
    ...(onNotice ? { report: { root: paths.home, say: onNotice, what: 'The record of the removed leader', then: 'new-leader means a leader other than the current one' } } : {}),
  });
  return read.state === 'ok' ? read.value : undefined;
}

/** The part of a status this module looks at. */
interface LeaderView {
  health: { leader?: number };
  servers: { id: number; zxid: string | null }[];
}

/**
 * Records the leader of `before` if the fault took it away (it is among `removed`); returns
 * the record, or undefined when the leader was untouched (an earlier record is then kept).
 */
export async function noteRemovedLeader(paths: EnsemblePaths, before: LeaderView, removed: number[], by: RemovingFault): Promise<RemovedLeader | undefined> {
  const leader = before.health.leader;
  if (leader === undefined || !removed.includes(leader)) return undefined;
  const record: RemovedLeader = { leader, epoch: zxidEpoch(before.servers.find((s) => s.id === leader)?.zxid) ?? null, by, at: new Date().toISOString() };
  await writeOwned(paths.home, fileOf(paths), `${JSON.stringify(record)}\n`);
  return record;
}

/** Forgets the record: after `down` every server starts afresh, and no leader was "removed". */
export async function clearRemovedLeader(paths: EnsemblePaths): Promise<void> {
  await removeOwned(paths.home, fileOf(paths));
}
