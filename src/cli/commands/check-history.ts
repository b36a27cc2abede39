/**
 * `zkpseudo check-history FILE`: checks a history written by `chaos --history` again — with
 * another read rule, a longer time limit, or after a change to the checker — without servers.
 * Exit 0: no violation; 2: a violation; 1: the check could not finish (unknown).
 */
import { readFile } from 'node:fs/promises';
import { checkHistory } from '../../ensemble/consistency/check/checker.js';
import { parseHistory } from '../../ensemble/consistency/check/history-ndjson.js';
import { ExitCode, UsageError, ZkpseudoError } from '../../errors.js';
import { parseDuration } from '../../options/options.js';
import type { CommandContext } from '../context.js';
import { formatReport } from '../consistency-output.js';
import { printJson } from '../output.js';
import { readMode } from './chaos.js';

export async function checkHistoryCommand(c: CommandContext, file: string, opts: { reads?: string; timeLimit?: string }): Promise<number> {
  const reads = readMode(opts.reads);
  const timeLimitMs = opts.timeLimit === undefined ? undefined : parseDuration(opts.timeLimit);
  if (opts.timeLimit !== undefined && timeLimitMs === undefined) throw new UsageError(`--time-limit "${opts.timeLimit}" is not a duration from 1ms to 24h.`, 'Give a duration like 30s or 5m.');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ZkpseudoError(`Cannot read ${file}: ${err.code === 'ENOENT' ? 'there is no such file' : err.message}.`, 'Give the file `zkpseudo chaos --history FILE` wrote.', err.code === 'ENOENT' ? ExitCode.usage : ExitCode.failed);
  });
  const history = parseHistory(text, file);
  const report = checkHistory(history, { reads, timeLimitMs });
  const m = history.meta;
  if (c.o.json) printJson(c.o, report);
  else if (!c.o.quiet) c.o.out(formatReport(report, `replay: zkpseudo chaos --seed ${m.seed} --duration ${m.durationMs / 1000}s --interval ${m.intervalMs / 1000}s --workload ${m.workload} --check (on an ensemble shaped like "${m.ensemble}": servers ${m.servers.join(', ')})`));
  return report.valid === true ? ExitCode.ok : report.valid === false ? ExitCode.failed : ExitCode.degraded;
}
