/**
 * What `zkpseudo wait` can wait for, and whether a status meets it (pure). These are the
 * moments a failover test needs: after `kill leader`, a new leader; after `start all`, health.
 */
import type { Health } from './health.js';
import { zxidEpoch } from './zxid.js';

export type Condition =
  | { kind: 'healthy' }
  | { kind: 'degraded' }
  /** A quorum serves, whatever its size: healthy or degraded; and so does each of `ids`, if given. */
  | { kind: 'serving'; ids?: number[] }
  /** A leader with a quorum serving behind it. */
  | { kind: 'leader' }
  /**
   * A leader other than `previous` (the leader the last fault removed, or else the one when the
   * wait began), elected in a later epoch than `previousEpoch` when that is known, with a quorum
   * serving behind it: a server can say "leader" a moment before its followers have synced,
   * and a new leader alone is not yet a working ensemble.
   */
  | { kind: 'new-leader'; previous?: number; previousEpoch?: number }
  /** Server `id` has no live process. */
  | { kind: 'down'; id: number };

export const CONDITION_WORDS = ['healthy', 'degraded', 'serving', 'leader', 'new-leader', 'down'] as const;

/** "healthy", "new-leader", "down 2" (or "down:2") → a Condition; a sentence of what is wrong otherwise. */
export function parseCondition(words: string[]): Condition | string {
  const [head, ...rest] = words.join(' ').trim().split(/[\s:]+/);
  switch (head) {
    case 'healthy': case 'degraded': case 'serving': case 'leader':
      return rest.length ? `"${head}" takes no argument` : { kind: head };
    case 'new-leader':
      return rest.length ? '"new-leader" takes no argument' : { kind: 'new-leader' };
    case 'down': {
      const id = Number(rest[0]);
      return rest.length === 1 && Number.isInteger(id) && id > 0 ? { kind: 'down', id } : '"down" needs one server id, like `down 2`';
    }
    default:
      return `"${words.join(' ')}" is not a condition; use one of ${CONDITION_WORDS.join(', ')} (down takes an id)`;
  }
}

/** The part of a status a condition looks at; `pid` only where zkpseudo can see the processes (not over --connect). */
export interface ConditionView {
  health: Health;
  servers: { id: number; pid?: number | null; role: string; zxid?: string | null }[];
}

const SERVING_ROLES = new Set(['leader', 'follower', 'observer', 'standalone']);

export function conditionMet(c: Condition, s: ConditionView): boolean {
  switch (c.kind) {
    case 'healthy': return s.health.state === 'healthy';
    case 'degraded': return s.health.state === 'degraded';
    case 'serving': return s.health.state !== 'no-quorum' && (c.ids ?? []).every((id) => SERVING_ROLES.has(s.servers.find((x) => x.id === id)?.role ?? ''));
    case 'leader': return s.health.leader !== undefined && s.health.state !== 'no-quorum';
    case 'new-leader': return s.health.leader !== undefined && s.health.leader !== c.previous && s.health.state !== 'no-quorum' && laterEpoch(c.previousEpoch, s.servers.find((x) => x.id === s.health.leader)?.zxid);
    case 'down': return s.servers.some((x) => x.id === c.id && (x.pid ?? null) === null && x.role === 'down');
  }
}

/** True unless both epochs are known and the leader's is not later than the recorded one. */
function laterEpoch(previous: number | undefined, leaderZxid: string | null | undefined): boolean {
  const now = zxidEpoch(leaderZxid);
  return previous === undefined || now === undefined || now > previous;
}

export function describeCondition(c: Condition): string {
  if (c.kind === 'serving' && c.ids?.length) return `a quorum, with server${c.ids.length > 1 ? 's' : ''} ${c.ids.join(', ')} serving`;
  return c.kind === 'down' ? `server ${c.id} down` : c.kind === 'new-leader' ? `a new leader${c.previous ? ` (not ${c.previous})` : ''}` : c.kind;
}
