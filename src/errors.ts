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
