/**
 * Exit codes of the command line (SPEC §3). The library throws; only the CLI entry turns
 * an error into one of these.
 */
export const ExitCode = {
  ok: 0,
  degraded: 1,
  failed: 2,
  noSuchEnsemble: 3,
  usage: 64,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every failure a user can cause or meet: `message` says what went wrong, `hint` what to do.
 * The CLI prints both sentences and exits with `exitCode`; it shows the stack only with --debug.
 */
export class ZkpseudoError extends Error {
  readonly hint: string;
  readonly exitCode: ExitCodeValue;
  /** Longer material the CLI prints between the message and the hint (a status table, log tails). */
  details?: string;
  constructor(message: string, hint: string, exitCode: ExitCodeValue = ExitCode.failed, options?: { cause?: unknown; details?: string }) {
    super(message, options);
    this.name = 'ZkpseudoError';
    this.hint = hint;
    this.exitCode = exitCode;
    if (options?.details) this.details = options.details;
  }
}

/** Bad arguments or a bad ensemble file (exit 64). */
export class UsageError extends ZkpseudoError {
  constructor(message: string, hint: string) {
    super(message, hint, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** The named ensemble does not exist under the home dir (exit 3). */
export class NoSuchEnsembleError extends ZkpseudoError {
  constructor(name: string, home: string) {
    super(
      `There is no ensemble named "${name}" under ${home}.`,
      `Create it with \`zkpseudo up --name ${name}\`, or list ensembles with \`zkpseudo ls\`.`,
      ExitCode.noSuchEnsemble,
    );
    this.name = 'NoSuchEnsembleError';
  }
}

/** The operation was cancelled by SIGINT/SIGTERM or an AbortSignal. */
export class InterruptedError extends ZkpseudoError {
  constructor(what: string) {
    super(`${what} was interrupted.`, 'Data was kept; run the same command again to resume.', ExitCode.interrupted);
    this.name = 'InterruptedError';
  }
}

/**
 * ensemble.yaml cannot be used (truncated, hand-edited into nonsense). Its servers can still be
 * found and stopped through the process table, so the hint offers commands that work.
 */
export class DamagedEnsembleError extends ZkpseudoError {
  readonly reason: string;
  constructor(where: { specFile: string; name: string }, reason: string) {
    super(
      `${where.specFile} is damaged: ${reason}.`,
      `Fix or restore that file; \`zkpseudo down --name ${where.name}\` stops the ensemble's servers without it, and \`zkpseudo down --purge --name ${where.name}\` deletes the ensemble.`,
    );
    this.name = 'DamagedEnsembleError';
    this.reason = reason;
  }
}

const SYSTEM_ERRORS: Record<string, [what: string, todo: (where: string) => string]> = {
  ENOSPC: ['the disk is full', (w) => `Free some space on the disk that holds ${w} (\`df -h\` shows it), then run the command again.`],
  EDQUOT: ['the disk quota is used up', (w) => `Free some of your quota on the disk that holds ${w}, then run the command again.`],
  EACCES: ['permission denied', (w) => `Make ${w} writable for this user, or point --home / ZKPSEUDO_HOME / ZKPSEUDO_CACHE elsewhere.`],
  EPERM: ['the operation is not permitted', (w) => `Check the owner and permissions of ${w}.`],
  EROFS: ['the file system is read-only', () => 'Point --home / ZKPSEUDO_HOME / ZKPSEUDO_CACHE at a writable place.'],
  EEXIST: ['something else is already there', (w) => `Look at ${w} (a file or link where zkpseudo expected its own directory?); move it away and run the command again.`],
  ENOTDIR: ['a file stands where a directory should be', (w) => `Look at ${w} and the directories above it; move the file away and run the command again.`],
  EISDIR: ['a directory stands where a file should be', (w) => `Look at ${w}; move the directory away and run the command again.`],
  ELOOP: ['there is a symbolic link loop', (w) => `Look at the links in ${w}.`],
  ENAMETOOLONG: ['the path is too long', () => 'Use a shorter --home or ensemble name.'],
  EMFILE: ['too many files are open', () => 'Raise the open-file limit (`ulimit -n`) and run the command again.'],
  ENFILE: ['the system has too many files open', () => 'Close other programs and run the command again.'],
  EIO: ['the disk reported an I/O error', (w) => `Check the disk that holds ${w}.`],
};

/**
 * A system error (full disk, permissions, a file in the way) as a ZkpseudoError that names
 * what happened, where, and what to do; undefined for anything that is not one.
 */
export function fromSystemError(err: unknown): ZkpseudoError | undefined {
  const e = err as NodeJS.ErrnoException;
  const known = e && typeof e.code === 'string' ? SYSTEM_ERRORS[e.code] : undefined;
  if (!known) return undefined;
  const where = e.path ?? (e as { dest?: string }).dest;
  const doing = e.syscall ? ` (${e.syscall}${where ? ` ${where}` : ''})` : where ? ` (${where})` : '';
  return new ZkpseudoError(`Could not finish: ${known[0]}${doing}.`, known[1](where ?? 'the directory named above'), ExitCode.failed, { cause: err });
}
