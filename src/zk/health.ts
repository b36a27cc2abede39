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
