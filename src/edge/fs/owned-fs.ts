/**
 * The one guarded boundary through which zkpseudo changes the file system. Every write,
 * rename, delete, copy, link and unpack names the root zkpseudo owns (the home, the cache, the
 * runtime dir) and works on canonical paths under it:
 *
 * - a target whose canonical parent is not under the canonical root is refused, so neither a
 *   symlinked directory inside a root nor a name read from a file (`../../x`) can lead a write
 *   or a delete outside it;
 * - a delete never goes through a symbolic link: a link is removed, never what it points at;
 * - every OS error becomes an `FsError` naming the operation, the destination path and what
 *   to do about that errno — never a bare `ENOSPC: write` without a path.
 *
 * One write lies under no root: a file the user names (`export --output FILE`). It goes through
 * `writeUserFile`, which only creates or replaces a regular file and never follows a link.
 *
 * Nothing else in src/ imports a writing function of node:fs (test/unit/fs-boundary.test.ts
 * scans for it). Reads stay where they are: what is read back is decoded strictly by its owner.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ZkpseudoError } from '../../errors.js';

/**
 * The node:fs functions the boundary calls, as one object, so tests can make any of them fail
 * with any errno (`vi.spyOn(fsOps, 'rename')`) and check what the user would see.
 */
export const fsOps = {
  mkdir: fsp.mkdir,
  writeFile: fsp.writeFile,
  rename: fsp.rename,
  rm: fsp.rm,
  rmdir: fsp.rmdir,
  unlink: fsp.unlink,
  lstat: fsp.lstat,
  realpath: fsp.realpath,
  cp: fsp.cp,
  symlink: fsp.symlink,
  link: fsp.link,
  chmod: fsp.chmod,
  createWriteStream: fs.createWriteStream,
};

export type FsOperation = 'read' | 'create directory' | 'write' | 'rename' | 'remove' | 'copy' | 'link' | 'unpack' | 'pack' | 'change mode of';

/** Plain words and a remedy for each errno a user can meet on a file system. */
const ERRNO: Record<string, { why: string; hint: (p: string) => string }> = {
  ENOSPC: { why: 'the disk is full', hint: (p) => `Free space on the file system that holds ${p} (\`df -h ${path.dirname(p)}\`), then run the command again.` },
  EDQUOT: { why: 'your disk quota is used up', hint: (p) => `Free space within your quota on the file system that holds ${p}, then run the command again.` },
  EROFS: { why: 'the file system is read-only', hint: () => 'Point zkpseudo at a writable place: --home / ZKPSEUDO_HOME for ensembles, ZKPSEUDO_CACHE for the cache, ZKPSEUDO_RUNTIME_DIR for port reservations.' },
  EACCES: { why: 'permission denied', hint: (p) => `Make ${path.dirname(p)} writable for you, or point zkpseudo at a directory you own (--home, ZKPSEUDO_CACHE).` },
  EPERM: { why: 'the operation is not permitted', hint: (p) => `Check the permissions and attributes of ${path.dirname(p)} (chattr, ACLs), or point zkpseudo at a directory you own.` },
  EMFILE: { why: 'this process has too many open files', hint: () => 'Raise the open-file limit (`ulimit -n 4096`) and run the command again.' },
  ENFILE: { why: 'the system has too many open files', hint: () => 'Close some programs or raise the system-wide file limit (fs.file-max), then run the command again.' },
  ENOTDIR: { why: 'a file stands where a directory should be', hint: (p) => `Move away the file that stands in the path of ${p}, or point zkpseudo at another directory.` },
  EISDIR: { why: 'a directory stands where a file should be', hint: (p) => `Move away the directory ${p}, then run the command again.` },
  ELOOP: { why: 'the path has too many (or circular) symbolic links', hint: (p) => `Fix the symbolic links along ${p}, or point zkpseudo at a plain directory.` },
  ENAMETOOLONG: { why: 'the path is too long for the file system', hint: () => 'Use a shorter --home, ensemble name or ZKPSEUDO_CACHE.' },
  EIO: { why: 'the disk reported an I/O error', hint: (p) => `Check the disk that holds ${p} (dmesg); zkpseudo changed nothing more.` },
  EEXIST: { why: 'something exists there already', hint: (p) => `Move ${p} out of the way, then run the command again.` },
  ENOENT: { why: 'a directory on the way is missing', hint: (p) => `Check that ${path.dirname(p)} exists (was it removed meanwhile?), then run the command again.` },
  EBUSY: { why: 'it is in use (a mount point, or held by another program)', hint: (p) => `Unmount or release ${p}, then run the command again.` },
  EXDEV: { why: 'it would cross file systems', hint: () => 'Keep the home and the cache on one file system, or run the command again.' },
};

/** An OS error on a path zkpseudo was changing: which operation, which path, which errno. */
export class FsError extends ZkpseudoError {
  readonly op: FsOperation;
  readonly path: string;
  readonly code: string | undefined;
  /** `hint`, when given, replaces the errno's usual remedy (a user's file has remedies of its own). */
  constructor(op: FsOperation, target: string, cause: unknown, hint?: (code: string | undefined) => string | undefined) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const known = code ? ERRNO[code] : undefined;
    const why = known ? `${known.why} (${code})` : (cause as Error)?.message ?? String(cause);
    super(`Cannot ${op} ${target}: ${why}.`, hint?.(code) ?? (known ? known.hint(target) : `Check ${path.dirname(target)}, then run the command again.`), ExitCode.failed, { cause });
    this.name = 'FsError';
    this.op = op;
    this.path = target;
    this.code = code;
  }
}

/** A path that would lead outside the root zkpseudo owns: refused, whatever asked for it. */
export class OutsideRootError extends ZkpseudoError {
  constructor(target: string, root: string, why: string) {
    super(
      `zkpseudo refused to change ${target}: ${why}, outside ${root}, which is all it may change there.`,
      'Nothing was changed. If a symbolic link or a hand-edited file points there, remove or fix it and run the command again.',
    );
    this.name = 'OutsideRootError';
  }
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The canonical spelling of `p`: the real path of its longest existing prefix, with the rest
 * appended. Two spellings of one place (a symlink, `/tmp` vs `/private/tmp`, `a/../b`) give one
 * answer, and a path that does not exist yet still has one.
 */
export function canonicalPathSync(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let probe = abs;
  for (;;) {
    try {
      const real = fs.realpathSync.native(probe);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch (err) {
      const parent = path.dirname(probe);
      // A path that cannot be resolved for another reason (EACCES, ELOOP) keeps its spelling
      // from there on; the operation on it will report that error with the path.
      if (parent === probe || !['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return rest.length ? path.join(probe, ...rest.reverse()) : probe;
      rest.push(path.basename(probe));
      probe = parent;
    }
  }
}

async function canonicalPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await fsOps.realpath(abs);
  } catch (err) {
    if (!isMissing(err) && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') return abs;
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(await canonicalPath(parent), path.basename(abs));
  }
}

/**
 * Where `target` really is, once its parent directories are resolved (the last component is
 * kept as it is, so a link there is acted on, not followed); refused unless under `root`.
 */
export async function insideRoot(root: string, target: string, allowRoot = false): Promise<string> {
  const realRoot = await canonicalPath(root);
  const abs = path.resolve(target);
  const base = path.basename(abs);
  const real = abs === path.resolve(root) ? realRoot : path.join(await canonicalPath(path.dirname(abs)), base);
  if (real === realRoot) {
    if (allowRoot) return real;
    throw new OutsideRootError(target, realRoot, 'it is the root itself');
  }
  // The file-system root already ends in a separator.
  if (!real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep)) {
    throw new OutsideRootError(target, realRoot, real === abs ? 'it lies' : `it resolves to ${real}`);
  }
  return real;
}

async function guarded<T>(op: FsOperation, target: string, fn: () => Promise<T>, hint?: (code: string | undefined) => string | undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ZkpseudoError) throw err;
    throw new FsError(op, target, err, hint);
  }
}

/**
 * mkdir -p one level at a time. Node's recursive mkdir reports ENOENT for whatever stopped it
 * below an existing directory (a read-only file system gives "no such file or directory"), so
 * when it says ENOENT, this finds the real errno.
 */
async function mkdirEach(real: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let p = real; !(await fsOps.lstat(p).then(() => true, () => false)); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    await fsOps.mkdir(p, { mode }).catch((err: unknown) => { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; });
  }
}

/** Creates a directory (and its parents) under `root`. */
export async function mkdirOwned(root: string, dir: string, mode = 0o755): Promise<void> {
  const real = await insideRoot(root, dir, true);
  await guarded('create directory', dir, async () => {
    try {
      await fsOps.mkdir(real, { recursive: true, mode });
    } catch (err) {
      if (!isMissing(err)) throw err;
      await mkdirEach(real, mode);
    }
  });
}

/**
 * Writes a file under `root`. Atomic by default (a temp file beside it, then a rename), so a
 * crash or a full disk never leaves half a file where a whole one was; a link at `file` is
 * replaced, not written through.
 */
export async function writeOwned(root: string, file: string, data: string | Uint8Array, opts: { mode?: number; atomic?: boolean } = {}): Promise<void> {
  const real = await insideRoot(root, file);
  const mode = opts.mode ?? 0o644;
  if (opts.atomic === false) {
    await guarded('write', file, () => fsOps.writeFile(real, data, { mode }));
    return;
  }
  const temp = `${real}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await guarded('write', file, () => fsOps.writeFile(temp, data, { mode }));
    await guarded('write', file, () => fsOps.rename(temp, real));
  } catch (err) {
    await fsOps.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Renames within `root` (both ends must lie under it). */
export async function renameOwned(root: string, from: string, to: string): Promise<void> {
  const realFrom = await insideRoot(root, from);
  const realTo = await insideRoot(root, to);
  await guarded('rename', to, () => fsOps.rename(realFrom, realTo));
}

/**
 * Removes a file, a link or (with `recursive`) a directory under `root`. A link is removed
 * itself, never followed, and a recursive delete does not descend through links either. A
 * target that is already gone is fine.
 */
export async function removeOwned(root: string, target: string, opts: { recursive?: boolean; allowRoot?: boolean } = {}): Promise<void> {
  const real = await insideRoot(root, target, opts.allowRoot);
  const st = await fsOps.lstat(real).catch((err: unknown) => {
    if (isMissing(err)) return undefined;
    throw new FsError('remove', target, err);
  });
  if (!st) return;
  if (!st.isDirectory()) await guarded('remove', target, () => fsOps.unlink(real)).catch((err: unknown) => { if (!(err instanceof FsError && err.code === 'ENOENT')) throw err; });
  else if (opts.recursive) await guarded('remove', target, () => fsOps.rm(real, { recursive: true, force: true }));
  else await guarded('remove', target, () => fsOps.rmdir(real));
}

/** Removes an empty directory under `root`; false (and nothing done) when it is not empty or gone. */
export async function removeIfEmpty(root: string, dir: string, allowRoot = false): Promise<boolean> {
  const real = await insideRoot(root, dir, allowRoot);
  try {
    await fsOps.rmdir(real);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw new FsError('remove', dir, err);
  }
}

/** Copies `from` (anywhere: a system install, a user's directory) to `to` under `root`. */
export async function copyOwned(root: string, from: string, to: string, opts: { filter?: (src: string) => boolean; dereference?: boolean } = {}): Promise<void> {
  const real = await insideRoot(root, to);
  await guarded('copy', to, () => fsOps.cp(from, real, { recursive: true, preserveTimestamps: true, ...(opts.filter ? { filter: opts.filter } : {}), ...(opts.dereference ? { dereference: true } : {}) }));
}

/** Makes `linkPath` (under `root`) a symbolic link to `target`, or with `hard` a hard link. */
export async function linkOwned(root: string, target: string, linkPath: string, hard = false): Promise<void> {
  const real = await insideRoot(root, linkPath);
  await guarded('link', linkPath, () => (hard ? fsOps.link(target, real) : fsOps.symlink(target, real)));
}

/** chmod under `root`. */
export async function chmodOwned(root: string, file: string, mode: number): Promise<void> {
  const real = await insideRoot(root, file);
  await guarded('change mode of', file, () => fsOps.chmod(real, mode));
}

/**
 * A write stream to a file under `root` (a download's `.part` file). Its 'error' event carries
 * an FsError naming the file.
 */
export async function writeStreamOwned(root: string, file: string): Promise<fs.WriteStream> {
  const real = await insideRoot(root, file);
  const stream = fsOps.createWriteStream(real);
  const emit = stream.emit.bind(stream);
  stream.emit = ((event: string, ...args: unknown[]) => (event === 'error' && !(args[0] instanceof FsError) ? emit('error', new FsError('write', file, args[0])) : emit(event, ...args))) as typeof stream.emit;
  return stream;
}

/**
 * Extracts `tarball` into `dest` (under `root`), dropping `strip` leading components. tar
 * itself refuses absolute entries and `..`; the destination is checked here.
 */
export async function extractOwned(root: string, tarball: string, dest: string, strip = 1): Promise<void> {
  const real = await insideRoot(root, dest);
  const tar = await import('tar');
  await guarded('unpack', dest, () => tar.x({ file: tarball, cwd: real, strip, preservePaths: false, strict: true }));
}

/** Writes a gzipped tarball of `entries` (relative to `cwd`, links followed) to `file` under `root`. */
export async function packOwned(root: string, file: string, cwd: string, entries: string[]): Promise<void> {
  const real = await insideRoot(root, file);
  const tar = await import('tar');
  await guarded('pack', file, () => tar.c({ gzip: true, file: real, cwd, follow: true, portable: true }, entries));
}

/**
 * A name read back from a file zkpseudo wrote (a digest, an id), refused unless it has the
 * shape zkpseudo gives such names: a hand edit or damage cannot turn it into a path.
 */
export function ownedName(name: unknown, shape: RegExp, what: string): string {
  if (typeof name !== 'string' || !shape.test(name) || name.includes('/') || name.includes('\\') || name === '..' || name === '.') {
    throw new ZkpseudoError(`${what} holds ${JSON.stringify(name)?.slice(0, 60)}, which is not a name zkpseudo writes there.`, 'The file was damaged or edited by hand; zkpseudo did not use it.');
  }
  return name;
}

/** Opens a file under `root` for appending (a helper process's log), creating it. */
export async function openAppendOwned(root: string, file: string): Promise<fsp.FileHandle> {
  const real = await insideRoot(root, file);
  return guarded('write', file, () => fsp.open(real, 'a'));
}

/** A user-named file refused because something other than a regular file stands at its path. */
export class NotARegularFileError extends ZkpseudoError {
  readonly path: string;
  constructor(target: string, what: string) {
    super(
      `Refused to write ${target}: it is ${what}; zkpseudo writes a file you name only as a regular file, never through a link.`,
      'Give the path of a regular file (or of a new one), or move what stands there out of the way.',
      ExitCode.usage,
    );
    this.name = 'NotARegularFileError';
    this.path = target;
  }
}

function describeNonFile(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Remedies for a file the user named: where the usual ones point at --home, these point at the path given. */
const userFileHint = (code: string | undefined): string | undefined =>
  code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
    ? 'Name a file in a directory you can write, or leave the file out to print to stdout.'
    : undefined;

/**
 * Writes a file the user named (`export --output FILE`): the one write that lies under no root
 * zkpseudo owns, so it is held to a narrower promise instead. It only ever creates or replaces
 * a regular file: a symbolic link at the path is refused, never followed or replaced (its
 * owner may not know it is one), and so are a directory, a pipe, a socket and a device. The
 * write is atomic — a temp file beside it, created exclusively (so it cannot be a planted
 * link), then renamed over the path, which replaces a name and never writes through one — so
 * a full disk leaves the old file whole. A replaced file keeps its mode; a new one is 0644
 * less the umask. No directory is created: the parent must exist. Every OS error names the path.
 */
export async function writeUserFile(file: string, data: string | Uint8Array): Promise<void> {
  const target = path.resolve(file);
  const st = await fsOps.lstat(target).catch((err: unknown) => {
    if (isMissing(err)) return undefined;
    throw new FsError('write', target, err, userFileHint);
  });
  if (st && !st.isFile()) throw new NotARegularFileError(target, describeNonFile(st));
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    await guarded('write', target, () => fsOps.writeFile(temp, data, { mode: 0o644, flag: 'wx' }), userFileHint);
    if (st) await guarded('write', target, () => fsOps.chmod(temp, st.mode & 0o7777), userFileHint);
    await guarded('write', target, () => fsOps.rename(temp, target), userFileHint);
  } catch (err) {
    await fsOps.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
