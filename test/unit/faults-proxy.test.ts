/**
 * A fault command never reports links changed when no proxy applies them (issue "Trust by
 * construction", item 11): without a live proxy it fails naming the ensemble and `zkpseudo up`,
 * and writes nothing; status's health says the proxy is down.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { procOps } from '../../src/edge/process/proctable.js';
import { faultFiles, setFaults } from '../../src/ensemble/faults/proxy-control.js';
import { heal } from '../../src/ensemble/faults/links.js';
import { withoutProxy } from '../../src/ensemble/observe/probe.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { assessHealth } from '../../src/zk/state/health.js';
import type { EnsembleSpec } from '../../src/options/types.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-faults-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
afterEach(() => { vi.restoreAllMocks(); });

const roles = (...r: ('leader' | 'follower' | 'down')[]) => assessHealth(r.map((role, i) => ({ id: i + 1, peerType: 'participant' as const, role })));

describe('withoutProxy', () => {
  it('healthy becomes degraded, saying why and what restarts it', () => {
    const h = withoutProxy(roles('leader', 'follower', 'follower'));
    expect(h.state).toBe('degraded');
    expect(h.summary).toMatch(/^degraded: 3\/3 voters serving.*; the fault proxy is not running \(`zkpseudo up` restarts it\)$/);
  });
  it('degraded and no quorum keep their state, with the note', () => {
    expect(withoutProxy(roles('leader', 'follower', 'down'))).toMatchObject({ state: 'degraded', summary: expect.stringMatching(/^degraded: 2\/3.*fault proxy is not running/) });
    expect(withoutProxy(roles('leader', 'down', 'down'))).toMatchObject({ state: 'no-quorum', summary: expect.stringMatching(/^no quorum.*fault proxy is not running/) });
  });
});

describe('setFaults without a live proxy', () => {
  it('fails naming the ensemble and `zkpseudo up`, and writes no state', async () => {
    const paths = ensemblePaths(root, 'f');
    await mkdir(paths.dir, { recursive: true });
    // A process table with no proxy in it.
    vi.spyOn(procOps, 'readdir').mockResolvedValue(['1']);
    vi.spyOn(procOps, 'readFile').mockResolvedValue(Buffer.from('/sbin/init\0'));
    const spec = { name: 'f', faults: { links: {}, clients: {} } } as unknown as EnsembleSpec;
    const err = (await setFaults(paths, spec, heal).catch((e: unknown) => e)) as { message: string; hint: string; exitCode: number };
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^The fault proxy of ensemble "f" is not running/);
    expect(err.hint).toMatch(/`zkpseudo up --name f` restarts it/);
    expect(existsSync(faultFiles(paths).state)).toBe(false);
  });

  it('an unreadable process table is that error, not "not running"', async () => {
    const paths = ensemblePaths(root, 'g');
    vi.spyOn(procOps, 'readdir').mockRejectedValue(Object.assign(new Error('EMFILE'), { code: 'EMFILE' }));
    const spec = { name: 'g', faults: { links: {}, clients: {} } } as unknown as EnsembleSpec;
    await expect(setFaults(paths, spec, heal)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/\/proc.*EMFILE/) });
  });
});
