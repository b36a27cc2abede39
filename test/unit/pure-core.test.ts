/** The pure parts added for waiting, faults, Properties escaping, start-failure diagnosis, argv and colour. */
import { describe, expect, it } from 'vitest';
import { conditionMet, parseCondition, type ConditionView } from '../../src/zk/state/conditions.js';
import { assessHealth, type Role } from '../../src/zk/state/health.js';
import { delay, faultPortCount, faultPorts, heal, isCut, isolate, isolateClients, NO_FAULTS, parseGroup, partition, serverFaults } from '../../src/ensemble/faults/links.js';
import { escapePropertyValue, parseProperties } from '../../src/zk/config/properties.js';
import { diagnoseStartFailure } from '../../src/zk/logs/startfail.js';
import { passThroughCli } from '../../src/cli/argv.js';
import { colourWanted } from '../../src/cli/colour.js';

const view = (...roles: Role[]): ConditionView => {
  const servers = roles.map((role, i) => ({ id: i + 1, role, pid: role === 'down' ? null : 100 + i }));
  return { servers, health: assessHealth(servers.map((s) => ({ id: s.id, peerType: 'participant', role: s.role }))) };
};

describe('wait conditions', () => {
  it('parses each condition and refuses the rest with a sentence', () => {
    expect(parseCondition(['healthy'])).toEqual({ kind: 'healthy' });
    expect(parseCondition(['down', '2'])).toEqual({ kind: 'down', id: 2 });
    expect(parseCondition(['down:3'])).toEqual({ kind: 'down', id: 3 });
    expect(parseCondition(['down'])).toMatch(/needs one server id/);
    expect(parseCondition(['sunny'])).toMatch(/is not a condition/);
  });
  it('new-leader needs a different leader and a quorum behind it (a lone "leader" is not enough)', () => {
    expect(conditionMet({ kind: 'new-leader', previous: 3 }, view('leader', 'looking', 'down'))).toBe(false);
    expect(conditionMet({ kind: 'new-leader', previous: 3 }, view('leader', 'follower', 'down'))).toBe(true);
    expect(conditionMet({ kind: 'new-leader', previous: 1 }, view('leader', 'follower', 'down'))).toBe(false);
  });
  it('serving with ids waits for those servers too; down ID means no process', () => {
    expect(conditionMet({ kind: 'serving', ids: [3] }, view('leader', 'follower', 'looking'))).toBe(false);
    expect(conditionMet({ kind: 'serving', ids: [3] }, view('leader', 'follower', 'follower'))).toBe(true);
    expect(conditionMet({ kind: 'down', id: 3 }, view('leader', 'follower', 'down'))).toBe(true);
    expect(conditionMet({ kind: 'degraded' }, view('leader', 'follower', 'down'))).toBe(true);
  });
});

describe('fault states', () => {
  it('gives every ordered pair two proxy ports and every server a client proxy, all distinct', () => {
    const p = faultPorts(40000, 3);
    const all = [...Object.values(p.links).flatMap((l) => [l.quorum, l.election]), ...Object.values(p.clients)];
    expect(all).toHaveLength(faultPortCount(3));
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...all)).toBe(40000);
  });
  it('isolate, partition, isolate-clients, delay and heal, each bumping the generation', () => {
    let s = isolate(NO_FAULTS, 2, [1, 2, 3]);
    expect(isCut(s, 1, 2) && isCut(s, 2, 3) && !isCut(s, 1, 3)).toBe(true);
    expect(serverFaults(s, 2, [1, 2, 3])).toMatchObject({ isolated: true, cutFrom: [1, 3] });
    const parted = partition(NO_FAULTS, [[1, 2], [3, 4, 5]], [1, 2, 3, 4, 5]);
    expect(typeof parted).toBe('object');
    expect(isCut(parted as typeof s, 2, 4) && !isCut(parted as typeof s, 1, 2)).toBe(true);
    expect(partition(NO_FAULTS, [[1], [2]], [1, 2, 3])).toMatch(/server 3 is in no group/);
    expect(partition(NO_FAULTS, [[1, 2], [2, 3]], [1, 2, 3])).toMatch(/more than one group/);
    s = delay(isolateClients(s, 1), 1, 3, { ms: 100, jitterMs: 5 });
    expect(serverFaults(s, 1, [1, 2, 3])).toMatchObject({ clientsCut: true, delays: { '3': { ms: 100, jitterMs: 5 } } });
    const healed = heal(s);
    expect(healed).toMatchObject({ cut: [], clientsCut: [], delays: {} });
    expect(healed.generation).toBe(s.generation + 1);
    expect(parseGroup('1,x')).toMatch(/not a group/);
  });
});

describe('java.util.Properties escaping', () => {
  it('every value round-trips: non-ASCII, backslashes, leading blanks, separators', () => {
    for (const v of ['/home/józef/.zkpseudo/a b/data', 'C:\\\\x\\\\y', '  lead', 'a=b:c#d!e', '日本語', 'tab\there', '😀']) {
      const text = `k=${escapePropertyValue(v)}\n`;
      expect(text).toMatch(/^[\x20-\x7e\n]*$/);
      expect(parseProperties(text).k).toBe(v);
    }
  });
});

describe('start failure diagnosis', () => {
  it('names the file of a transaction log with a broken header, and marks it safe to move aside', () => {
    const log = 'ERROR [main:ZooKeeperServerMain@91] - Unexpected exception, exiting abnormally\njava.io.IOException: Transaction log: /h/e/zookeeper-1/data/version-2/log.1 has invalid magic number -2117323519 != 1514884167';
    expect(diagnoseStartFailure(log)).toEqual({ file: '/h/e/zookeeper-1/data/version-2/log.1', problem: expect.stringMatching(/not a transaction log header/), movable: true, outOfStep: true });
    expect(diagnoseStartFailure('java.io.IOException: The current epoch, 3, is older than the last zxid, 4294967296')).toMatchObject({ movable: false });
    expect(diagnoseStartFailure('all is well')).toBeUndefined();
  });
});

describe('cli arguments pass through untouched', () => {
  const argv = (...w: string[]) => ['node', 'zkpseudo', ...w];
  it('puts -- after the id, keeps global options before cli, maps `cli -- CMD` to all', () => {
    expect(passThroughCli(argv('cli', '2', 'ls', '-R', '/'))).toEqual(argv('cli', '2', '--', 'ls', '-R', '/'));
    expect(passThroughCli(argv('--name', 'x', 'cli', '1', 'get', '/a'))).toEqual(argv('--name', 'x', 'cli', '1', '--', 'get', '/a'));
    expect(passThroughCli(argv('cli', '--', 'ls', '/'))).toEqual(argv('cli', 'all', '--', 'ls', '/'));
    expect(passThroughCli(argv('status', '--json'))).toEqual(argv('status', '--json'));
  });
});

describe('colour', () => {
  it('off for pipes, CI, NO_COLOR, FORCE_COLOR=0, --no-color, TERM=dumb; FORCE_COLOR=1 forces it', () => {
    expect(colourWanted({}, [], false)).toBe(false);
    expect(colourWanted({ CI: 'true' }, [], false)).toBe(false);
    expect(colourWanted({}, [], true)).toBe(true);
    expect(colourWanted({ TERM: 'dumb' }, [], true)).toBe(false);
    expect(colourWanted({ NO_COLOR: '1' }, [], true)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: '0' }, [], true)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: '1' }, [], false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '1' }, ['--no-color'], true)).toBe(false);
  });
});

describe('chaos schedule', () => {
  it('is the same for the same seed, differs for another, and undoes every fault before the next', async () => {
    const { chaosPlan } = await import('../../src/ensemble/faults/chaos-plan.js');
    const a = chaosPlan(42, 30_000, 5_000, [1, 2, 3], true);
    expect(chaosPlan(42, 30_000, 5_000, [1, 2, 3], true)).toEqual(a);
    expect(chaosPlan(43, 30_000, 5_000, [1, 2, 3], true)).not.toEqual(a);
    expect(a).toHaveLength(12);
    for (let i = 0; i < a.length; i += 2) {
      expect(a[i + 1]!.atMs - a[i]!.atMs).toBe(2_500);
      expect(['start', 'resume', 'heal']).toContain(a[i + 1]!.action.kind);
    }
    expect(chaosPlan(1, 30_000, 5_000, [1, 2, 3], false).every((e) => ['kill', 'start', 'pause', 'resume'].includes(e.action.kind))).toBe(true);
  });
});
