/**
 * A private home and cache per test file, and a teardown that leaves no JVM behind: first
 * `down --purge` through the API, then SIGKILL for any QuorumPeerMain whose command line names
 * this sandbox's directory (so only servers this test started are ever touched).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { execa } from 'execa';

export interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
  mirrorUrl: string;
  zkVersion: string;
  /** Runs the built CLI with this sandbox's environment. */
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeout?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

/** Fails loudly when the machine has no ZooKeeper: these tests exist to run the real thing. */
export function requireZooKeeper(): { mirrorUrl: string; zkVersion: string } {
  const reason = inject('noZooKeeperReason');
  if (reason) throw new Error(`end-to-end tests need ZooKeeper: ${reason}`);
  return { mirrorUrl: inject('mirrorUrl')!, zkVersion: inject('zkVersion')! };
}

/** Pids of ZooKeeper servers whose command line mentions `dir`. */
export async function serverPidsUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const p of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('QuorumPeerMain') && cmd.includes(dir)) pids.push(Number(p));
  }
  return pids;
}

export async function createSandbox(label: string): Promise<Sandbox> {
  const { mirrorUrl, zkVersion } = requireZooKeeper();
  const root = await mkdtemp(path.join(os.tmpdir(), `zkpseudo-${label}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZKPSEUDO_HOME: path.join(root, 'home'),
    ZKPSEUDO_CACHE: path.join(root, 'cache'),
    ZKPSEUDO_MIRROR: '',
    CI: 'true',
    NO_COLOR: '1',
    // No background CDS builds per sandbox (each would be one more JVM competing for two
    // cores); test/e2e/cds.test.ts turns it on and tests it.
    ZKPSEUDO_CDS: '0',
    FORCE_COLOR: '',
  };
  return {
    root,
    env,
    mirrorUrl,
    zkVersion,
    async cli(args, opts = {}) {
      const r = await execa(process.execPath, [CLI, ...args], { env: { ...env, ...opts.env }, reject: false, timeout: opts.timeout ?? 90_000, stdin: 'ignore' });
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async cleanup() {
      const homes = await readdir(path.join(root, 'home')).catch(() => [] as string[]);
      for (const name of homes) {
        await execa(process.execPath, [CLI, 'down', '--purge', '--name', name, '-q'], { env, reject: false, timeout: 60_000 });
      }
      for (const pid of await serverPidsUnder(root)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes; its last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
