/** Parsing real replies captured from Debian's ZooKeeper 3.8.0 (test/fixtures/fourlw). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMntr, parseSrvr } from '../../src/zk/state/fourlw.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/fourlw/${name}`, import.meta.url), 'utf8');

describe('parseSrvr', () => {
  it('reads a leader', () => {
    const r = parseSrvr(fixture('srvr-3.8.0-leader.txt'));
    expect(r.serving).toBe(true);
    if (!r.serving) return;
    expect(r.reply).toMatchObject({ mode: 'leader', zxid: '0x100000000', version: '3.8.0-${mvngit.commit.id}', nodeCount: 5, connections: 1 });
  });

  it('reads a follower and a standalone server', () => {
    const f = parseSrvr(fixture('srvr-3.8.0-follower.txt'));
    expect(f.serving && f.reply.mode).toBe('follower');
    const s = parseSrvr(fixture('srvr-3.8.0-standalone.txt'));
    expect(s.serving && s.reply.mode).toBe('standalone');
  });

  it('treats "not currently serving requests" as a state, not an error', () => {
    expect(parseSrvr(fixture('srvr-3.8.0-not-serving.txt'))).toEqual({ serving: false, reason: 'not currently serving requests' });
  });

  it('says when a word is not whitelisted, and rejects garbage', () => {
    const r = parseSrvr(fixture('dump-3.8.0-not-whitelisted.txt'));
    expect(r.serving).toBe(false);
    expect(!r.serving && r.reason).toMatch(/whitelist/);
    expect(parseSrvr('HTTP/1.1 400 Bad Request').serving).toBe(false);
    expect(parseSrvr('').serving).toBe(false);
  });
});

describe('parseMntr', () => {
  it('reads tab-separated keys of a leader and a follower', () => {
    const leader = parseMntr(fixture('mntr-3.8.0-leader.txt'));
    expect(leader.zk_server_state).toBe('leader');
    expect(leader.zk_peer_state).toBe('leading - broadcast');
    expect(leader.zk_synced_followers).toBe('2');
    const follower = parseMntr(fixture('mntr-3.8.0-follower.txt'));
    expect(follower.zk_server_state).toBe('follower');
    expect(follower.zk_synced_followers).toBeUndefined();
  });

  it('is empty for a server that is not serving', () => {
    expect(parseMntr(fixture('mntr-3.8.0-not-serving.txt'))).toEqual({});
  });
});
