/**
 * The ensemble's super user: a random password made when the ensemble is made, kept 0600 in
 * its directory (`super.secret`). Its servers are given only the digest (zoo.cfg, below);
 * `reset`, `seed`, `dump` and `namespace` authenticate with the password, which lets them
 * past every ACL — a test's own restrictive ACLs must not make its fixtures unremovable.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { damaged, line, readBack, str, type Decoder } from '../../edge/fs/decode.js';
import { FsError, linkOwned, removeOwned, writeOwned } from '../../edge/fs/owned-fs.js';
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

/** super.secret as zkpseudo writes it: one line, the password. */
const SECRET: Decoder<string> = line(str('a password zkpseudo wrote (43 characters of base64url)', SHAPE, 43));

/**
 * The password, or why there is none: `missing` (an ensemble made before zkpseudo gave
 * ensembles a super user, until its next start) or `damaged` (not what zkpseudo writes; read
 * back strictly through edge/fs/decode). With `onDamaged`, a damaged file is moved aside to
 * `super.secret.damaged-<ms>` (never deleted) and named; without, it is left for a start,
 * which can say so. A file that cannot be read just now (EACCES, EMFILE) is an error.
 */
export async function readSecret(paths: EnsemblePaths, onDamaged?: (text: string) => void): Promise<{ password: string } | { problem: 'missing' | 'damaged' }> {
  const file = secretFile(paths);
  const read = await readBack(file, SECRET, { as: 'text', maxBytes: 256 });
  if (read.state === 'ok') return { password: read.value };
  if (read.state === 'missing') return { problem: 'missing' };
  if (read.code) throw new FsError('read', file, Object.assign(new Error(read.problems.join('; ')), { code: read.code }));
  if (onDamaged) {
    await damaged(file, read.problems, {
      root: paths.home, say: onDamaged, what: "The ensemble's super-user secret",
      then: 'made a new one (servers already running keep the old one until restarted)',
    });
  }
  return { problem: 'damaged' };
}

/**
 * The password, made first if the ensemble has none (or a damaged one, moved aside; `onRepair`
 * hears of it). Made exclusively — written to a temp file, then hard-linked into place, which
 * fails if another process got there first — so two concurrent starts can never hand their
 * servers two different digests: the loser reads the winner's.
 */
export async function ensureSecret(paths: EnsemblePaths, onRepair?: (text: string) => void): Promise<string> {
  const file = secretFile(paths);
  for (let attempt = 0; ; attempt++) {
    const found = await readSecret(paths, onRepair ?? (() => undefined));
    if ('password' in found) return found.password;
    if (found.problem === 'damaged' && attempt > 0) throw new FsError('read', file, new Error('it does not hold a password zkpseudo wrote'));
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
