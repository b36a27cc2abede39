/**
 * The ensemble's super user: a random password made when the ensemble is made, kept 0600 in
 * its directory (`super.secret`). Its servers are given only the digest (zoo.cfg, below);
 * `reset`, `seed`, `dump` and `namespace` authenticate with the password, which lets them
 * past every ACL — a test's own restrictive ACLs must not make its fixtures unremovable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FsError, linkOwned, removeOwned, writeOwned } from '../../edge/owned-fs.js';
import type { EnsemblePaths } from './layout.js';

export const SUPER_USER = 'super';
export const SUPER_SECRET_FILE = 'super.secret';
/** The zoo.cfg key ZooKeeper turns into the system property zookeeper.DigestAuthenticationProvider.superDigest. */
export const SUPER_DIGEST_KEY = 'DigestAuthenticationProvider.superDigest';

/** 32 random bytes, base64url: no `:` (which would end the user name in a digest credential). */
const SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function secretFile(paths: EnsemblePaths): string {
  return path.join(paths.dir, SUPER_SECRET_FILE);
}

/** `super:<base64 sha1 of "super:password">`, the form ZooKeeper's superDigest takes (pure). */
export function superDigest(password: string): string {
  return `${SUPER_USER}:${createHash('sha1').update(`${SUPER_USER}:${password}`).digest('base64')}`;
}

/** The credential a client adds with the digest scheme to act as super. */
export function superCredential(password: string): string {
  return `${SUPER_USER}:${password}`;
}

/**
 * The password, or why there is none: `missing` (an ensemble made before zkpseudo gave
 * ensembles a super user, until its next start) or `damaged` (not what zkpseudo writes).
 */
export async function readSecret(paths: EnsemblePaths): Promise<{ password: string } | { problem: 'missing' | 'damaged' }> {
  const text = await readFile(secretFile(paths), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new FsError('read', secretFile(paths), err);
  });
  if (text === undefined) return { problem: 'missing' };
  const password = text.trim();
  return SHAPE.test(password) ? { password } : { problem: 'damaged' };
}

/**
 * The password, made first if the ensemble has none (or a damaged one; `onRepair` hears of
 * it). Made exclusively — written to a temp file, then hard-linked into place, which fails if
 * another process got there first — so two concurrent starts can never hand their servers
 * two different digests: the loser reads the winner's.
 */
export async function ensureSecret(paths: EnsemblePaths, onRepair?: (text: string) => void): Promise<string> {
  const file = secretFile(paths);
  for (let attempt = 0; ; attempt++) {
    const found = await readSecret(paths);
    if ('password' in found) return found.password;
    if (found.problem === 'damaged') {
      if (attempt > 0) throw new FsError('read', file, new Error('it does not hold a password zkpseudo wrote'));
      onRepair?.(`${SUPER_SECRET_FILE} was damaged; made a new super-user secret (servers already running keep the old one until restarted)`);
      await removeOwned(paths.home, file);
    }
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeOwned(paths.home, temp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, atomic: false });
    try {
      await linkOwned(paths.home, temp, file, true);
    } catch (err) {
      if (!(err instanceof FsError && err.code === 'EEXIST')) throw err;
    } finally {
      await removeOwned(paths.home, temp);
    }
  }
}
