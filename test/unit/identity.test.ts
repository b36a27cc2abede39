/** The pure parts of identity and of reading a recorded spec back. */
import { describe, expect, it } from 'vitest';
import { ensemblePaths, serverOfConfig } from '../../src/ensemble/store/layout.js';
import { recordedSpecProblems } from '../../src/options/recorded.js';
import { isServerCommand, SERVER_MAIN_CLASS } from '../../src/edge/process/process.js';

describe('serverOfConfig', () => {
  it('maps a server config path back to its ensemble directory and id', () => {
    const p = ensemblePaths('/home/józef/.zkpseudo', 'my ens');
    expect(serverOfConfig(p.server(12).config)).toEqual({ dir: p.dir, id: 12 });
  });
  it('refuses paths of any other shape', () => {
    expect(serverOfConfig('/etc/zookeeper/conf/zoo.cfg')).toBeUndefined();
    expect(serverOfConfig('/x/zookeeper-a/conf/zoo.cfg')).toBeUndefined();
    expect(serverOfConfig('/x/zookeeper-1/conf/zoo.cfg.dynamic')).toBeUndefined();
  });
  it('matches a config path with spaces only in full', () => {
    const cfg = '/a b/zookeeper-1/conf/zoo.cfg';
    expect(isServerCommand(['java', SERVER_MAIN_CLASS, '/a', 'b/zookeeper-1/conf/zoo.cfg'], cfg)).toBe(true);
    expect(isServerCommand(['java', SERVER_MAIN_CLASS, '/a'], cfg)).toBe(false);
  });
});

describe('recordedSpecProblems', () => {
  const good = {
    name: 'e', zkVersion: '3.8.0', heapMb: 128, portScheme: 'auto', config: {},
    dist: { source: 'system', origin: '/usr', tarball: '/t.tar.gz', sha512: 'ab'.repeat(64) },
    members: [{ id: 1, peerType: 'participant', ports: { client: 2181, quorum: 2888, election: 3888 } }],
    createdAt: '2025-01-31T12:00:00.000Z',
  };
  it('accepts what zkpseudo writes', () => {
    expect(recordedSpecProblems(good)).toEqual([]);
  });
  it('names every problem of a hand edit, key by key', () => {
    const bad = { ...good, zkVersion: 'banana', members: [{ id: 1, peerType: 'participant', ports: { client: 'abc', quorum: 2888, election: 3888 } }] };
    expect(recordedSpecProblems(bad)).toEqual([
      'zkVersion: "banana" is not a ZooKeeper version like 3.8.4',
      'members[0].ports.client: "abc" is not a port number',
    ]);
    expect(recordedSpecProblems(null)).toEqual(['the file does not hold a mapping of keys']);
    expect(recordedSpecProblems({ ...good, members: [] })).toContain('members: is not a list of servers');
  });
});
