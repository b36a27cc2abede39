/**
 * Race-free failover waits (issue 20): the removed leader's record, decoded strictly; what
 * new-leader and `--wait` mean with it; epochs from zxids.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conditionMet, type ConditionView } from '../../src/zk/state/conditions.js';
import { assessHealth, type Role } from '../../src/zk/state/health.js';
import { zxidEpoch } from '../../src/zk/state/zxid.js';
import { clearRemovedLeader, REMOVED_LEADER, noteRemovedLeader, readRemovedLeader, REMOVED_LEADER_FILE } from '../../src/ensemble/faults/removed-leader.js';
import { settleCondition } from '../../src/ensemble/observe/settle.js';
import { ensemblePaths, type EnsemblePaths } from '../../src/ensemble/store/layout.js';
import { mkdirOwned } from '../../src/edge/fs/owned-fs.js';

/** Servers 1..n with these roles; the leader's zxid is in `epoch`. */
const view = (epoch: number, ...roles: Role[]): ConditionView => {
  const servers = roles.map((role, i) => ({ id: i + 1, role, pid: role === 'down' ? null : 100 + i, zxid: role === 'leader' ? `0x${(epoch * 2 ** 32 + 5).toString(16)}` : '0x0' }));
  return { servers, health: assessHealth(servers.map((s) => ({ id: s.id, peerType: 'participant', role: s.role }))) };
};

describe('epochs', () => {
  it('are the high 32 bits of a zxid; anything else has none', () => {
    expect(zxidEpoch('0x100000000')).toBe(1);
    expect(zxidEpoch('0x200000007')).toBe(2);
    expect(zxidEpoch('0x0')).toBe(0);
    expect(zxidEpoch('0xffffffff00000000')).toBe(0xffffffff);
    for (const bad of [null, undefined, '', '0x', '12', '0xzz', '0x12345678901234567']) expect(zxidEpoch(bad)).toBeUndefined();
  });
});

describe('new-leader with the removed leader recorded', () => {
  it('is met by another leader in a later epoch, with a quorum', () => {
    expect(conditionMet({ kind: 'new-leader', previous: 3, previousEpoch: 1 }, view(2, 'leader', 'follower', 'down'))).toBe(true);
    // Elected before the wait began: still new, which is the race the record exists for.
    expect(conditionMet({ kind: 'new-leader', previous: 3, previousEpoch: 1 }, view(2, 'follower', 'leader', 'down'))).toBe(true);
  });
  it('is not met by the removed leader, by a leader of the same epoch, or without a quorum', () => {
    expect(conditionMet({ kind: 'new-leader', previous: 3, previousEpoch: 1 }, view(1, 'follower', 'follower', 'leader'))).toBe(false);
    expect(conditionMet({ kind: 'new-leader', previous: 3, previousEpoch: 2 }, view(2, 'leader', 'follower', 'down'))).toBe(false);
    expect(conditionMet({ kind: 'new-leader', previous: 3, previousEpoch: 1 }, view(2, 'leader', 'looking', 'down'))).toBe(false);
  });
  it('falls back to the id alone when an epoch is unknown', () => {
    expect(conditionMet({ kind: 'new-leader', previous: 3 }, view(1, 'leader', 'follower', 'down'))).toBe(true);
  });
});

describe('the removed-leader record', () => {
  let root: string;
  let paths: EnsemblePaths;
  const notices: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-failover-'));
    paths = ensemblePaths(root, 'e');
    await mkdirOwned(root, paths.dir);
  });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });
  const file = () => path.join(paths.dir, REMOVED_LEADER_FILE);

  it('is written only when the fault took the leader away, with its epoch', async () => {
    const before = { health: { leader: 2 }, servers: [{ id: 1, zxid: '0x0' }, { id: 2, zxid: '0x300000004' }, { id: 3, zxid: '0x0' }] };
    expect(await noteRemovedLeader(paths, before, [1], 'kill')).toBeUndefined();
    expect(await readRemovedLeader(paths)).toBeUndefined();
    const rec = await noteRemovedLeader(paths, before, [2], 'pause');
    expect(rec).toMatchObject({ leader: 2, epoch: 3, by: 'pause' });
    expect(await readRemovedLeader(paths)).toEqual(rec);
    // A later fault that spares the leader keeps the record.
    await noteRemovedLeader(paths, before, [3], 'stop');
    expect((await readRemovedLeader(paths))?.leader).toBe(2);
    // No leader known: no epoch, nothing recorded.
    expect(await noteRemovedLeader(paths, { health: {}, servers: [] }, [1, 2, 3], 'kill')).toBeUndefined();
  });

  it('says what --wait waits for: a new leader when the operation removed the recorded one, else a quorum', async () => {
    await noteRemovedLeader(paths, { health: { leader: 1 }, servers: [{ id: 1, zxid: '0x100000000' }] }, [1], 'kill');
    expect(await settleCondition(paths, 'kill', [1])).toEqual({ kind: 'new-leader', previous: 1, previousEpoch: 1 });
    expect(await settleCondition(paths, 'kill', [2])).toEqual({ kind: 'serving' });
    expect(await settleCondition(paths, 'start', [1])).toEqual({ kind: 'serving', ids: [1] });
  });

  it('read back strictly: garbage of every kind is no record, and is said', async () => {
    const garbage = ['', '{', 'null', '[]', '"x"', '{"leader":3}', '{"leader":"3","epoch":1,"by":"kill","at":"2024-01-01T00:00:00Z"}',
      '{"leader":0,"epoch":1,"by":"kill","at":"2024-01-01T00:00:00Z"}', '{"leader":3,"epoch":-1,"by":"kill","at":"2024-01-01T00:00:00Z"}',
      '{"leader":3,"epoch":1,"by":"nuke","at":"2024-01-01T00:00:00Z"}', '{"leader":3,"epoch":1,"by":"kill","at":"soon"}',
      '{"leader":3,"epoch":1,"by":"kill","at":"2024-01-01T00:00:00Z","extra":1}', `{"leader":3,"epoch":1,"by":"kill","at":"${'9'.repeat(2000)}"}`, '\u0000\u0001binary'];
    for (const text of garbage) {
      notices.length = 0;
      await writeFile(file(), text);
      expect(await readRemovedLeader(paths, (t) => notices.push(t)), text).toBeUndefined();
      expect(notices, text).toEqual([expect.stringMatching(/removed-leader\.json was damaged \(.+\); moved it aside to .+; new-leader means a leader other than the current one/)]);
    }
    expect(REMOVED_LEADER({ leader: 3, epoch: null, by: 'isolate', at: '2024-01-01T00:00:00Z' }, '')).toEqual({ ok: true, value: { leader: 3, epoch: null, by: 'isolate', at: '2024-01-01T00:00:00Z' } });
  });

  it('is forgotten by clearRemovedLeader (down), and a missing one is no record, silently', async () => {
    await clearRemovedLeader(paths);
    notices.length = 0;
    expect(await readRemovedLeader(paths, (t) => notices.push(t))).toBeUndefined();
    expect(notices).toEqual([]);
  });
});
