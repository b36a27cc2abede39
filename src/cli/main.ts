#!/usr/bin/env node
/**
 * The zkpseudo command line. Commands are imported lazily so `status` starts fast; only this
 * file prints errors and sets the exit code.
 */
import { CommanderError } from 'commander';
import { ExitCode, fromSystemError, ZkpseudoError } from '../errors.js';
import { buildProgram } from './program.js';
import { ownWords, passThroughCli } from './argv.js';
import { stdoutGone, tolerateClosedPipes } from './output.js';

/** Prints an error as two sentences (what went wrong; what to do) and returns its exit code. */
function report(err: unknown, debug: boolean, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return ExitCode.usage;
  }
  const known = err instanceof ZkpseudoError ? err : fromSystemError(err);
  if (known) {
    process.stderr.write(`error: ${known.message}\n`);
    if (known.details) process.stderr.write(`${known.details}\n`);
    process.stderr.write(`hint: ${known.hint}\n`);
    if (json) writeOut(`${JSON.stringify({ error: { message: known.message, hint: known.hint, exitCode: known.exitCode } }, null, 2)}\n`);
    if (debug && (err as Error).stack) process.stderr.write(`${(err as Error).stack}\n`);
    return known.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
  process.stderr.write('hint: this looks like a bug in zkpseudo; run again with --debug and report the output.\n');
  if (json) writeOut(`${JSON.stringify({ error: { message: e?.message ?? String(err), hint: 'this looks like a bug in zkpseudo', exitCode: ExitCode.failed } }, null, 2)}\n`);
  if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
  return ExitCode.failed;
}

/** Writes to stdout unless its reader has gone. */
function writeOut(text: string): void {
  if (!stdoutGone()) process.stdout.write(text);
}

export async function main(argv: string[]): Promise<number> {
  tolerateClosedPipes();
  const program = buildProgram();
  const args = passThroughCli(argv);
  // What follows a `--` is another program's (`cli -- get /x --json`), not zkpseudo's.
  const own = ownWords(args);
  const debug = own.includes('--debug') || process.env.ZKPSEUDO_DEBUG === '1';
  try {
    await program.parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err, debug, own.includes('--json'));
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
  // Whatever a library left open (a socket to an unanswering proxy, a timer) must not keep the
  // command alive once it has decided how to end: exit after a moment for stdout to drain.
  setTimeout(() => process.exit(code), 500).unref();
});
