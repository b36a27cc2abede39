/** Pid files are trusted only when the process is this server: strangers are never signalled. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, isServerCommand, readPidFile, signalServer, SERVER_MAIN_CLASS } from '../../src/edge/process/process.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-proc-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('readPidFile', () => {
  it('says none without a pid file, stale for a dead pid', async () => {
    expect(await readPidFile(path.join(root, 'nope.pid'), '/x/zoo.cfg')).toEqual({ state: 'none' });
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    await writeFile(path.join(root, 'dead.pid'), String(dead.pid));
    expect(await readPidFile(path.join(root, 'dead.pid'), '/x/zoo.cfg')).toMatchObject({ state: 'stale', why: expect.stringMatching(/gone/) });
  });

  it('calls a live unrelated process stale and refuses to signal it', async () => {
    const stranger = spawn('sleep', ['30']);
    try {
      await writeFile(path.join(root, 'reused.pid'), String(stranger.pid));
      const state = await readPidFile(path.join(root, 'reused.pid'), '/x/zoo.cfg');
      expect(state).toMatchObject({ state: 'stale', why: expect.stringMatching(/another program/) });
      expect(await signalServer(stranger.pid!, '/x/zoo.cfg', 'SIGKILL')).toBe(false);
      expect(await isAlive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('recognises a server only by main class and its own config path', () => {
    expect(isServerCommand(['java', '-cp', 'x', SERVER_MAIN_CLASS, '/a/zookeeper-1/conf/zoo.cfg'], '/a/zookeeper-1/conf/zoo.cfg')).toBe(true);
    expect(isServerCommand(['java', SERVER_MAIN_CLASS, '/a/zookeeper-2/conf/zoo.cfg'], '/a/zookeeper-1/conf/zoo.cfg')).toBe(false);
    expect(isServerCommand(['sleep', '/a/zookeeper-1/conf/zoo.cfg'], '/a/zookeeper-1/conf/zoo.cfg')).toBe(false);
    expect(isServerCommand(undefined, '/a/zoo.cfg')).toBe(false);
  });
});
