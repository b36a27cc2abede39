/**
 * The lease watcher never takes "cannot tell" for an answer: a process table unreadable for a
 * moment neither ends it (the owner's death would then go unnoticed) nor counts as the owner's
 * death; it asks again at the next poll.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { procOps } from '../../src/edge/process/proctable.js';
import { watchLease } from '../../src/ensemble/lease/watcher.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-lease-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
afterEach(() => { vi.restoreAllMocks(); });

describe('watchLease', () => {
  it('an unreadable table for a while: keeps watching; once the owner is seen gone, ends the lease', async () => {
    const paths = ensemblePaths(root, 'leased');
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.ownerFile, JSON.stringify({ ownerPid: 777777, ownerStart: null, token: '0123456789abcdef', watcherPid: null }));
    let asked = 0;
    // kill -0 of the owner fails with EAGAIN twice, then says it is gone; /proc is empty.
    vi.spyOn(procOps, 'kill').mockImplementation(() => {
      asked++;
      throw Object.assign(new Error(asked <= 2 ? 'EAGAIN' : 'ESRCH'), { code: asked <= 2 ? 'EAGAIN' : 'ESRCH' });
    });
    vi.spyOn(procOps, 'readdir').mockResolvedValue([]);
    await watchLease(root, 'leased', '0123456789abcdef');
    expect(asked).toBe(3);
    expect(existsSync(paths.ownerFile)).toBe(false);
  });

  it('while the owner lives, it keeps the lease and stops nothing', async () => {
    const paths = ensemblePaths(root, 'alive');
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.ownerFile, JSON.stringify({ ownerPid: process.pid, ownerStart: null, token: '0123456789abcdef', watcherPid: null }));
    const readdir = vi.spyOn(procOps, 'readdir');
    const watching = watchLease(root, 'alive', '0123456789abcdef');
    await new Promise((r) => setTimeout(r, 1200));
    expect(existsSync(paths.ownerFile)).toBe(true);
    expect(readdir).not.toHaveBeenCalledWith('/proc');
    // `down` ends the lease: the watcher returns at its next poll.
    await rm(paths.ownerFile);
    await watching;
  });
});
