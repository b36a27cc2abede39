/** Quorum health from what each server says of itself (pure; SPEC §8). */

/** A server's role as a status reader sees it: its own mode, or why it has none. */
export type Role = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only' | 'looking' | 'down';

export interface RoleOfServer {
  id: number;
  /** How the server was configured to take part. */
  peerType: 'participant' | 'observer';
  role: Role;
}

export type HealthState = 'healthy' | 'degraded' | 'no-quorum';

export interface Health {
  state: HealthState;
  voters: number;
  /** Voters that are leading or following (or the lone standalone server). */
  servingVoters: number;
  /** Voters needed for a quorum. */
  majority: number;
  leader?: number;
  /** How many more voters may fail while a quorum still holds (0 when it does not hold). */
  tolerates: number;
  /** Ids of servers that are not serving in their configured role. */
  unhealthy: number[];
  summary: string;
}

/** Ids of servers reporting leadership (a lone standalone server leads itself). */
function leadersOf(servers: RoleOfServer[], voters: RoleOfServer[]): number[] {
  const single = voters.length === 1;
  return servers.filter((s) => s.role === 'leader' || (single && s.role === 'standalone')).map((s) => s.id);
}

/**
 * Healthy: every server answers, exactly one leader, every other voter a follower, observers
 * observing. Degraded: one leader and a majority of voters serve. No quorum: anything else.
 */
export function assessHealth(servers: RoleOfServer[]): Health {
  const voters = servers.filter((s) => s.peerType === 'participant');
  const majority = Math.floor(voters.length / 2) + 1;
  const leaders = leadersOf(servers, voters);
  const leaderId = leaders.length === 1 ? leaders[0] : undefined;
  const servesAsConfigured = (s: RoleOfServer): boolean =>
    s.peerType === 'observer'
      ? s.role === 'observer'
      : s.role === 'follower' || s.id === leaderId;
  const servingVoters = leaderId === undefined ? 0 : voters.filter(servesAsConfigured).length;
  const unhealthy = servers.filter((s) => !servesAsConfigured(s)).map((s) => s.id);
  const quorum = leaderId !== undefined && servingVoters >= majority;
  const state: HealthState = !quorum ? 'no-quorum' : unhealthy.length === 0 ? 'healthy' : 'degraded';
  const tolerates = quorum ? servingVoters - majority : 0;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const notServing = unhealthy.length ? `; not serving: ${unhealthy.join(', ')}` : '';
  const summary =
    state === 'no-quorum'
      ? `no quorum: ${servingVoters}/${voters.length} voters serving, ${majority} needed` +
        (leaders.length > 1 ? ` (${leaders.length} servers claim to lead)` : '') + notServing
      : `${state}: ${servingVoters}/${voters.length} voters serving, leader ${leaderId}, tolerates ${plural(tolerates, 'failure')}` +
        notServing;
  return {
    state,
    voters: voters.length,
    servingVoters,
    majority,
    ...(leaderId !== undefined ? { leader: leaderId } : {}),
    tolerates,
    unhealthy,
    summary,
  };
}

/** Whether the voters other than one server hold a quorum by themselves: see `quorumWithout`. */
export interface QuorumWithout {
  holds: boolean;
  /** The other voters serving (leading or following), in id order. */
  serving: number[];
  /** The other voters not serving. */
  notServing: number[];
  majority: number;
  /** "2 of the other voters serve (3 and 4), 3 needed" and the like. */
  summary: string;
}

/**
 * Whether a majority of all voters serves without server `id` — leading, or following a
 * leader (which may be `id` itself: its followers then elect one of them once it stops).
 * Every acknowledged write is on a majority of voters, and any two majorities share a voter,
 * so such a quorum holds every acknowledged write, and `id` can resync from it without one
 * being lost.
 */
export function quorumWithout(servers: RoleOfServer[], id: number): QuorumWithout {
  const voters = servers.filter((s) => s.peerType === 'participant');
  const majority = Math.floor(voters.length / 2) + 1;
  const leader = leadersOf(servers, voters);
  const others = voters.filter((s) => s.id !== id);
  const serving = leader.length === 1 ? others.filter((s) => s.role === 'leader' || s.role === 'follower').map((s) => s.id) : [];
  const notServing = others.map((s) => s.id).filter((x) => !serving.includes(x));
  const holds = serving.length >= majority;
  const list = (ids: number[]) => (ids.length ? ` (${ids.join(', ')})` : '');
  const summary = !others.length
    ? `server ${id} is the only voter`
    : `${serving.length} of the other ${others.length} voter${others.length === 1 ? '' : 's'} serve${serving.length === 1 ? 's' : ''}${list(serving)}, ${majority} needed${notServing.length ? `; not serving: ${notServing.join(', ')}` : ''}`;
  return { holds, serving, notServing, majority, summary };
}

/**
 * Whether the voters other than `id` are enough for a quorum at all: three voters or more, or
 * `id` an observer. Only then can `id` be resynced from the others.
 */
export function othersCanHoldQuorum(members: { id: number; peerType: 'participant' | 'observer' }[], id: number): boolean {
  const voters = members.filter((m) => m.peerType === 'participant');
  return voters.filter((m) => m.id !== id).length >= Math.floor(voters.length / 2) + 1;
}
