/**
 * The leader the last fault removed. `kill leader` and `wait new-leader` are separate commands,
 * and the survivors often elect a new leader (~0.6 s) before `wait` first looks: a `wait` that
 * took the leader it saw first as "the old one" would then wait for yet another election. So
 * every kill, stop, restart, pause, isolate or partition that takes the leader away records
 * which server led and in which epoch, in `<ensemble>/removed-leader.json`, and `new-leader`
 * means a leader other than that one, elected in a later epoch — however late `wait` starts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { removeOwned, writeOwned } from '../../edge/owned-fs.js';
import { zxidEpoch } from '../../zk/zxid.js';
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

/**
 * A record read back, checked key by key (a file on disk is untrusted, whoever wrote it):
 * the record, or every problem as "key: problem".
 */
export function decodeRemovedLeader(value: unknown): RemovedLeader | string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the file does not hold a mapping of keys'];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(v)) if (!['leader', 'epoch', 'by', 'at'].includes(key)) problems.push(`${key}: is not a key zkpseudo writes`);
  if (!Number.isInteger(v.leader) || (v.leader as number) < 1 || (v.leader as number) > 255) problems.push(`leader: ${JSON.stringify(v.leader)} is not a server id`);
  if (v.epoch !== null && !(Number.isInteger(v.epoch) && (v.epoch as number) >= 0 && (v.epoch as number) <= 0xffffffff)) problems.push(`epoch: ${JSON.stringify(v.epoch)} is not an election epoch`);
  if (!FAULTS.includes(v.by as RemovingFault)) problems.push(`by: ${JSON.stringify(v.by)} is not one of ${FAULTS.join(', ')}`);
  if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))) problems.push(`at: ${JSON.stringify(v.at)} is not a date`);
  return problems.length ? problems : { leader: v.leader as number, epoch: v.epoch as number | null, by: v.by as RemovingFault, at: v.at as string };
}

/**
 * The record, or undefined when there is none. A damaged one counts as none (the wait then
 * falls back to the leader it sees first) and is said through `onNotice`.
 */
export async function readRemovedLeader(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<RemovedLeader | undefined> {
  const file = fileOf(paths);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onNotice?.(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); new-leader means a leader other than the current one`);
    return undefined;
  }
  let decoded: RemovedLeader | string[];
  if (text.length > MAX_BYTES) decoded = [`it is ${text.length} bytes, more than zkpseudo writes`];
  else {
    try {
      decoded = decodeRemovedLeader(JSON.parse(text));
    } catch {
      decoded = ['it is not JSON'];
    }
  }
  if (Array.isArray(decoded)) {
    onNotice?.(`${file} is damaged (${decoded.join('; ')}); new-leader means a leader other than the current one`);
    return undefined;
  }
  return decoded;
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
