import { describe, expect, it } from 'vitest';
import { assessHealth, type Role, type RoleOfServer } from '../../src/zk/state/health.js';

const voters = (...roles: Role[]): RoleOfServer[] => roles.map((role, i) => ({ id: i + 1, peerType: 'participant', role }));

describe('assessHealth', () => {
  const cases: { name: string; servers: RoleOfServer[]; state: string; leader?: number; tolerates: number; summary: RegExp }[] = [
    { name: 'one leader, two followers', servers: voters('follower', 'leader', 'follower'), state: 'healthy', leader: 2, tolerates: 1, summary: /^healthy: 3\/3 voters serving, leader 2, tolerates 1 failure$/ },
    { name: 'one follower down', servers: voters('follower', 'leader', 'down'), state: 'degraded', leader: 2, tolerates: 0, summary: /^degraded: 2\/3 .* tolerates 0 failures; not serving: 3$/ },
    { name: 'one server looking', servers: voters('looking', 'leader', 'follower'), state: 'degraded', leader: 2, tolerates: 0, summary: /not serving: 1/ },
    { name: 'two of three down', servers: voters('looking', 'down', 'down'), state: 'no-quorum', tolerates: 0, summary: /^no quorum: 0\/3 voters serving, 2 needed/ },
    { name: 'everyone looking', servers: voters('looking', 'looking', 'looking'), state: 'no-quorum', tolerates: 0, summary: /no quorum/ },
    { name: 'two claim to lead', servers: voters('leader', 'leader', 'follower'), state: 'no-quorum', tolerates: 0, summary: /2 servers claim to lead/ },
    { name: 'a lone standalone server', servers: voters('standalone'), state: 'healthy', leader: 1, tolerates: 0, summary: /^healthy: 1\/1/ },
    { name: 'five with two down', servers: voters('leader', 'follower', 'follower', 'down', 'down'), state: 'degraded', leader: 1, tolerates: 0, summary: /3\/5/ },
    { name: 'five healthy', servers: voters('leader', 'follower', 'follower', 'follower', 'follower'), state: 'healthy', leader: 1, tolerates: 2, summary: /tolerates 2 failures/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = assessHealth(c.servers);
      expect(h.state).toBe(c.state);
      expect(h.leader).toBe(c.leader);
      expect(h.tolerates).toBe(c.tolerates);
      expect(h.summary).toMatch(c.summary);
    });
  }

  it('counts only voters for the majority; observers must be observing', () => {
    const withObserver: RoleOfServer[] = [...voters('leader', 'follower', 'follower'), { id: 4, peerType: 'observer', role: 'observer' }];
    expect(assessHealth(withObserver)).toMatchObject({ state: 'healthy', voters: 3, majority: 2 });
    const observerDown: RoleOfServer[] = [...voters('leader', 'follower', 'follower'), { id: 4, peerType: 'observer', role: 'down' }];
    expect(assessHealth(observerDown)).toMatchObject({ state: 'degraded', unhealthy: [4], tolerates: 1 });
    const votersDown: RoleOfServer[] = [...voters('leader', 'down', 'down'), { id: 4, peerType: 'observer', role: 'observer' }];
    expect(assessHealth(votersDown).state).toBe('no-quorum');
  });
});
