/**
 * The pure parts of `zkpseudo repair` (issue item 8): the start failures ZooKeeper 3.8 logs when
 * a server's data is out of step (lines captured from real servers whose epoch files or
 * snapshot were damaged), the quorum the others must hold without the server, and the advice.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseStartFailure, latestRun, repairHint } from '../../src/zk/logs/startfail.js';
import { othersCanHoldQuorum, quorumWithout, type Role, type RoleOfServer } from '../../src/zk/state/health.js';
import { quarantineStamp } from '../../src/ensemble/lifecycle/repair.js';

const DATA = '/h/r/zookeeper-1/data/version-2';
/** A start's log as ZooKeeper 3.8.0 writes it, around the exception it died of. */
const run = (exception: string) => [
  '2026-11-30 19:43:46,499 [myid:] - INFO  [main:QuorumPeerConfig@177] - Reading configuration from: /h/r/zookeeper-1/conf/zoo.cfg',
  `2026-11-30 19:43:46,710 [myid:1] - INFO  [main:FileSnap@85] - Reading snapshot ${DATA}/snapshot.0`,
  '2026-11-30 19:43:46,779 [myid:1] - ERROR [main:QuorumPeer@1200] - Unable to load database on disk',
  `java.io.IOException: ${exception}`,
  '\tat org.apache.zookeeper.server.quorum.QuorumPeer.loadDataBase(QuorumPeer.java:1197)',
  '2026-11-30 19:43:46,780 [myid:1] - ERROR [main:QuorumPeerMain@114] - Unexpected exception, exiting abnormally',
  'java.lang.RuntimeException: Unable to run quorum server ',
  `Caused by: java.io.IOException: ${exception}`,
  '2026-11-30 19:43:46,782 [myid:1] - ERROR [main:ServiceUtils@42] - Exiting JVM with code 1',
].join('\n');

describe('start failures of data out of step', () => {
  const cases: { damage: string; exception: string; problem: RegExp; file?: string }[] = [
    { damage: 'currentEpoch made smaller', exception: 'The current epoch, 0, is older than the last zxid, 4294967319', problem: /currentEpoch \(0x0\) is older than its last transaction \(0x100000017\)/ },
    { damage: 'currentEpoch made bigger than acceptedEpoch', exception: 'The accepted epoch, 1 is less than the current epoch, 63', problem: /acceptedEpoch \(0x1\) is less than its currentEpoch \(0x63\)/ },
    { damage: 'currentEpoch overwritten', exception: `Found abc in ${DATA}/currentEpoch`, problem: /holds "abc", not an epoch number/, file: `${DATA}/currentEpoch` },
    { damage: 'acceptedEpoch emptied', exception: `Found null in ${DATA}/acceptedEpoch`, problem: /holds "null"/, file: `${DATA}/acceptedEpoch` },
    { damage: 'snapshot deleted, logs kept', exception: 'No snapshot found, but there are log entries. Something is broken!', problem: /transaction logs but no snapshot/ },
  ];
  for (const c of cases) {
    it(`${c.damage}: named, and marked out of step`, () => {
      const f = diagnoseStartFailure(run(c.exception));
      expect(f).toMatchObject({ outOfStep: true, movable: false });
      expect(f!.problem).toMatch(c.problem);
      expect(f!.file).toBe(c.file);
    });
  }

  it('reads only the latest start: an earlier start\'s failure in the same log is not this one\'s', () => {
    const log = `${run('The current epoch, 0, is older than the last zxid, 4294967319')}\n${run('The accepted epoch, 1 is less than the current epoch, 63')}`;
    expect(diagnoseStartFailure(log)!.problem).toMatch(/acceptedEpoch/);
    expect(latestRun(log).match(/Reading configuration from/g)).toHaveLength(1);
    expect(diagnoseStartFailure(`${run('The current epoch, 0, is older than the last zxid, 4294967319')}\nReading configuration from: /h/zoo.cfg\nall well`)).toBeUndefined();
    expect(latestRun('no marker at all')).toBe('no marker at all');
  });

  it('a following server stuck on a bigger acceptedEpoch is not a start failure', () => {
    expect(diagnoseStartFailure('WARN  [QuorumPeer[myid=1]:Follower@128] - Exception when following the leader\njava.io.IOException: Leaders epoch, 1 is less than accepted epoch, 99')).toBeUndefined();
  });

  it('advises repair, naming the ensemble, and the others to start first', () => {
    const hint = repairHint(2, 'ci', [1, 3]);
    expect(hint).toContain('`zkpseudo repair 2 --name ci`');
    expect(hint).toContain('`zkpseudo start 1 --name ci`, `zkpseudo start 3 --name ci`');
    expect(hint).toContain('zkpseudo-quarantine');
  });
});

const servers = (...roles: Role[]): RoleOfServer[] => roles.map((role, i) => ({ id: i + 1, peerType: 'participant', role }));

describe('the quorum the others hold without the server', () => {
  it('holds when a majority of all voters serves without it', () => {
    expect(quorumWithout(servers('down', 'follower', 'leader'), 1)).toMatchObject({ holds: true, serving: [2, 3], majority: 2 });
    expect(quorumWithout(servers('looking', 'follower', 'leader', 'follower', 'down'), 1)).toMatchObject({ holds: true, serving: [2, 3, 4], notServing: [5] });
  });
  it('counts followers of the server itself: they elect one of them once it stops', () => {
    expect(quorumWithout(servers('leader', 'follower', 'follower'), 1)).toMatchObject({ holds: true, serving: [2, 3] });
  });
  it('does not hold when the others are too few, or have no single leader', () => {
    const r = quorumWithout(servers('down', 'leader', 'down'), 1);
    expect(r).toMatchObject({ holds: false, serving: [2], notServing: [3] });
    expect(r.summary).toBe('1 of the other 2 voters serves (2), 2 needed; not serving: 3');
    expect(quorumWithout(servers('leader', 'follower', 'down'), 1).holds).toBe(false);
    expect(quorumWithout(servers('down', 'looking', 'looking'), 1)).toMatchObject({ holds: false, serving: [] });
    expect(quorumWithout(servers('down', 'leader', 'leader'), 1).holds).toBe(false);
    expect(quorumWithout(servers('standalone'), 1)).toMatchObject({ holds: false, summary: 'server 1 is the only voter' });
  });
  it('an observer is repaired while the voters hold a quorum; observers never count for it', () => {
    const withObserver: RoleOfServer[] = [...servers('leader', 'follower', 'down'), { id: 4, peerType: 'observer', role: 'down' }];
    expect(quorumWithout(withObserver, 4)).toMatchObject({ holds: true, serving: [1, 2] });
    expect(othersCanHoldQuorum([{ id: 1, peerType: 'participant' }, { id: 2, peerType: 'observer' }], 2)).toBe(true);
  });
  it('an ensemble of one or two voters has no quorum without any of them', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, peerType: 'participant' as const }));
    expect(othersCanHoldQuorum(members(1), 1)).toBe(false);
    expect(othersCanHoldQuorum(members(2), 1)).toBe(false);
    expect(othersCanHoldQuorum(members(3), 1)).toBe(true);
    expect(othersCanHoldQuorum(members(4), 4)).toBe(true);
  });
});

describe('quarantine directories', () => {
  it('are named by time, sortable, without ":"', () => {
    expect(quarantineStamp(new Date('2026-03-01T10:20:30.123Z'))).toBe('2026-03-01T10-20-30-123Z');
  });
});
