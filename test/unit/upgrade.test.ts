/** Mixed ensembles and rolling upgrades, the pure parts: who runs what, what is recorded, what moves next. */
import { describe, expect, it } from 'vitest';
import { describeVersions, ensembleVersions, memberDist, memberVersion, withMemberVersion } from '../../src/options/member-versions.js';
import { recordedSpecProblems } from '../../src/options/recorded.js';
import type { DistRecord, EnsembleSpec } from '../../src/options/types.js';
import { nextServer, serversToMove, upgradeRefusal } from '../../src/ensemble/upgrade/plan.js';
import { whoRunsWhat } from '../../src/ensemble/upgrade/upgrade.js';
import { parseZkVersion } from '../../src/zk/versions.js';

const v = (t: string) => parseZkVersion(t)!;
// A digest per release: 128 hex digits, as ensemble.yaml must hold.
const dist = (name: 'old' | 'new'): DistRecord => ({ source: 'download', origin: `http://m/${name}`, tarball: `/c/${name}.tar.gz`, sha512: (name === 'old' ? 'a' : 'b').repeat(128) });
const spec = (zkVersion = '3.8.0'): EnsembleSpec => ({
  name: 'e', zkVersion, dist: dist('old'), heapMb: 128, portScheme: 'auto', config: {}, createdAt: '2026-01-31T12:00:00.000Z',
  members: [1, 2, 3].map((id) => ({ id, peerType: 'participant' as const, ports: { client: 2180 + id, quorum: 2887 + id, election: 3887 + id } })),
});

describe('which release each member runs', () => {
  it('a member runs the ensemble\'s release unless it records its own', () => {
    const s = withMemberVersion(spec(), 2, '3.9.3', dist('new'));
    expect(s.members.map((m) => memberVersion(s, m))).toEqual(['3.8.0', '3.9.3', '3.8.0']);
    expect(memberDist(s, s.members[1]!)).toEqual(dist('new'));
    expect(s.zkVersion).toBe('3.8.0');
    expect(ensembleVersions(s)).toEqual(['3.8.0', '3.9.3']);
    expect(describeVersions(s)).toBe('3.8.0 (1, 3) and 3.9.3 (2)');
    expect(whoRunsWhat(s)).toBe('servers 1, 3 run 3.8.0 and server 2 runs 3.9.3');
  });

  it('once every member runs the new release it becomes the ensemble\'s, and no member records its own', () => {
    let s = spec();
    for (const id of [1, 3, 2]) s = withMemberVersion(s, id, '3.9.3', dist('new'));
    expect(s.zkVersion).toBe('3.9.3');
    expect(s.dist).toEqual(dist('new'));
    expect(s.members.every((m) => m.zkVersion === undefined && m.dist === undefined)).toBe(true);
    expect(whoRunsWhat(s)).toBe('every server runs 3.9.3');
  });

  it('a member put back on the ensemble\'s release records nothing of its own', () => {
    const s = withMemberVersion(withMemberVersion(spec(), 1, '3.9.3', dist('new')), 1, '3.8.0', dist('old'));
    expect(s.members[0]).not.toHaveProperty('zkVersion');
    expect(ensembleVersions(s)).toEqual(['3.8.0']);
  });
});

describe('ensemble.yaml of a mixed ensemble, decoded strictly', () => {
  const recorded = () => JSON.parse(JSON.stringify(withMemberVersion(spec(), 3, '3.9.3', dist('new'))));
  it('accepts what an upgrade writes', () => {
    expect(recordedSpecProblems(recorded())).toEqual([]);
  });
  it('names a member release that is not a version, one without its dist, and a dist of the wrong shape', () => {
    const bad = recorded();
    bad.members[2].zkVersion = 'latest';
    bad.members[1].zkVersion = '3.9.3';
    bad.members[0].dist = { source: 'ftp', origin: 1, tarball: '/t', sha512: 'x' };
    bad.members[0].zkVersion = '3.9.3';
    expect(recordedSpecProblems(bad)).toEqual([
      'members[0].dist.source: "ftp" is not "download" or "system" or "tarball" or "directory" or "url"',
      'members[0].dist.origin: 1 is not a URL or a path',
      'members[0].dist.sha512: "x" is not a SHA-512 digest (128 lower-case hex digits)',
      'members[1]: records zkVersion and dist together or neither',
      'members[2].zkVersion: "latest" is not a ZooKeeper version like 3.8.4',
    ]);
  });
});

describe('the rolling order', () => {
  const now = (leader: number, observer?: number, stopped: number[] = []) => [1, 2, 3, 4].map((id) => ({
    id, running: !stopped.includes(id), role: stopped.includes(id) ? 'down' : id === leader ? 'leader' : id === observer ? 'observer' : 'follower',
  }));
  it('stopped servers first, then observers, then followers, the leader last', () => {
    const order: number[] = [];
    const remaining = [1, 2, 3, 4];
    while (remaining.length) {
      const id = nextServer(remaining, now(1, 3, [4]))!;
      order.push(id);
      remaining.splice(remaining.indexOf(id), 1);
    }
    expect(order).toEqual([4, 3, 2, 1]);
  });
  it('follows the leader where it is now', () => {
    expect(nextServer([2, 3], now(2))).toBe(3);
    expect(nextServer([2, 3], now(3))).toBe(2);
  });
  it('moves only the servers not on the release yet', () => {
    expect(serversToMove(withMemberVersion(spec(), 2, '3.9.3', dist('new')), v('3.9.3'))).toEqual([1, 3]);
  });
});

describe('which moves are refused', () => {
  it('a downgrade, unless forced', () => {
    expect(upgradeRefusal(spec('3.9.3'), v('3.8.0'), false)).toMatch(/server 1 runs ZooKeeper 3\.9\.3, newer than 3\.8\.0.*--force/);
    expect(upgradeRefusal(spec('3.9.3'), v('3.8.0'), true)).toBeUndefined();
    expect(upgradeRefusal(spec('3.8.0'), v('3.9.3'), false)).toBeUndefined();
  });
  it('crossing between 3.4 and 3.5+, forced or not (3.5 refuses 3.4 data without a snapshot)', () => {
    expect(upgradeRefusal(spec('3.4.13'), v('3.5.10'), true)).toMatch(/between ZooKeeper 3\.4 and 3\.5/);
    expect(upgradeRefusal(spec('3.4.13'), v('3.4.14'), false)).toBeUndefined();
  });
});
