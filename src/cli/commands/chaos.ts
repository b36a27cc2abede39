/**
 * `zkpseudo chaos --seed N --duration 60s`: runs a reproducible fault schedule (ensemble/faults/chaos-plan.ts)
 * against the ensemble, printing each step with a timestamp, and leaves it whole at the end —
 * or when interrupted: every server started and resumed, every link healed. With `--workload`,
 * real clients perform a register, queue or lock workload meanwhile, recorded as a history
 * (`--history FILE`) and, with `--check`, checked (ensemble/consistency/). And
 * `zkpseudo check-history FILE`, which checks such a history again without servers.
 */
import { stat } from 'node:fs/promises';
import { readUserText } from '../../edge/fs/user-file.js';
import path from 'node:path';
import { chaosPlan } from '../../ensemble/faults/chaos-plan.js';
import { describeStep, type ChaosStep } from '../../ensemble/faults/chaos-run.js';
import { chaosOnHandle } from '../../ensemble/consistency/chaos-api.js';
import { WORKLOADS, type ReadMode, type Workload } from '../../ensemble/consistency/check/history.js';
import { historyToNdjson, parseHistory } from '../../ensemble/consistency/check/history-ndjson.js';
import { checkHistory } from '../../ensemble/consistency/check/checker.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { writeOwned } from '../../edge/fs/owned-fs.js';
import { ExitCode, UsageError, ZkpseudoError } from '../../errors.js';
import { parseDuration } from '../../options/options.js';
import type { CommandContext } from '../context.js';
import { formatReport } from '../consistency-output.js';
import { printJson, printJsonLine } from '../output.js';

export interface ChaosFlags {
  seed?: string;
  duration?: string;
  interval?: string;
  workload?: string;
  check?: boolean;
  history?: string;
  reads?: string;
  clients?: string;
  rate?: string;
}

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 200) throw new UsageError(`${flag} "${text}" is not a duration from 200ms to 24h.`, 'Give a duration like 60s or 2m.');
  return ms;
}

function whole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} "${text}" is not a whole number from ${min} to ${max}.`, `Give ${flag} a number in that range.`);
  return Number(text);
}

export function readMode(text: string | undefined): ReadMode {
  if (text === undefined || text === 'sequential' || text === 'linearizable') return text ?? 'sequential';
  throw new UsageError(`--reads "${text}" is not sequential or linearizable.`, 'sequential (the default) judges plain reads by ZooKeeper\'s documented rule; linearizable holds them to real time.');
}

/** Refuses a --history whose directory is not there now, not after a minute of chaos. */
async function historyTarget(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const abs = path.resolve(file);
  const dir = await stat(path.dirname(abs)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new UsageError(`--history ${file}: the directory ${path.dirname(abs)} does not exist.`, 'Create it, or name a file in an existing directory.');
  return abs;
}

export async function chaosCommand(c: CommandContext, opts: ChaosFlags): Promise<number> {
  const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new UsageError(`--seed "${opts.seed}" is not a whole number from 0 to 4294967295.`, 'Give the seed of the run to replay, like --seed 42.');
  const durationMs = duration('--duration', opts.duration, 60_000);
  const intervalMs = duration('--interval', opts.interval, 5_000);
  if (opts.workload !== undefined && !WORKLOADS.includes(opts.workload as Workload)) throw new UsageError(`--workload "${opts.workload}" is not one of ${WORKLOADS.join(', ')}.`, 'register: reads, writes and CAS of a few keys; queue: enqueue/dequeue; lock: the lock recipe.');
  const workload = opts.workload as Workload | undefined;
  if (!workload && (opts.check || opts.history || opts.reads || opts.clients || opts.rate)) throw new UsageError('--check, --history, --reads, --clients and --rate need --workload.', 'Add --workload register (or queue, or lock).');
  const reads = readMode(opts.reads);
  const clients = whole('--clients', opts.clients, 1, 64);
  const rate = whole('--rate', opts.rate, 1, 10_000);
  const historyFile = await historyTarget(opts.history);
  const spec = await readSpec(c.paths);
  const steps = chaosPlan(seed, durationMs, intervalMs, spec.members.map((m) => m.id), !!spec.faults).length;
  const say = (event: Record<string, unknown>, text: string) => {
    if (c.o.json) printJsonLine(c.o, event);
    else if (!c.o.quiet) c.o.out(text);
  };
  // A step is printed once it has run; the restore is said by the closing line.
  const onStep = (s: ChaosStep) => {
    if (s.phase !== 'end' || s.action.kind === 'restore') return;
    const at = new Date().toISOString();
    say({ event: 'step', at, offsetMs: Math.round(s.offsetMs), action: s.action, error: s.error }, `${at} +${(s.offsetMs / 1000).toFixed(2)}s ${describeStep(s.action)}${s.error ? ` (failed: ${s.error})` : ''}`);
  };
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const workers = workload ? `, workload ${workload} with ${clients ?? spec.members.length + 1} clients` : '';
  say({ event: 'start', seed, durationMs, intervalMs, steps, workload }, `chaos: seed ${seed}, ${steps} steps over ${durationMs / 1000} s${workers} (replay with --seed ${seed})`);
  let result;
  try {
    result = await chaosOnHandle(c.op, {
      seed, duration: `${durationMs}ms`, interval: `${intervalMs}ms`, reads, signal: controller.signal, onStep,
      workload, check: !!opts.check, clients, rate,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (historyFile && result.history) await writeOwned(path.dirname(historyFile), historyFile, historyToNdjson(result.history));
  const { interrupted, healFailure } = result;
  // "Healed" only when the proxy applied it (a dead proxy heals nothing: say so, exit 2).
  const links = !spec.faults ? '' : healFailure ? `; the links were NOT healed: ${healFailure}` : ', every link healed';
  say({ event: 'end', interrupted, healFailure }, `chaos: ${interrupted ? 'interrupted' : 'done'}; every server started and resumed${links}${historyFile ? `; history in ${historyFile}` : ''}`);
  if (interrupted) return ExitCode.interrupted;
  const report = result.report;
  if (!report) return healFailure ? ExitCode.failed : ExitCode.ok;
  const replay = `replay: zkpseudo chaos --seed ${seed} --duration ${durationMs / 1000}s --interval ${intervalMs / 1000}s --workload ${workload} --check${reads === 'linearizable' ? ' --reads linearizable' : ''}`;
  const recheck = historyFile ? `\nre-check: zkpseudo check-history ${historyFile}${reads === 'linearizable' ? ' --reads linearizable' : ''}` : '';
  say({ event: 'check', ...report }, formatReport(report, replay + recheck));
  if (healFailure || report.valid === false) return ExitCode.failed;
  return report.valid === true ? ExitCode.ok : ExitCode.degraded;
}

/**
 * `zkpseudo check-history FILE`: checks a history written by `chaos --history` again — with
 * another read rule, a longer time limit, or after a change to the checker — without servers.
 * Exit 0: no violation; 2: a violation; 1: the check could not finish (unknown).
 */
/** A 60 s run's history is a few megabytes. */
const MAX_HISTORY_BYTES = 64 * 1024 * 1024;

/** A history file `chaos --history` wrote, read as every user-named file is and parsed strictly. */
export async function loadHistory(file: string): Promise<ReturnType<typeof parseHistory>> {
  const read = await readUserText(file, MAX_HISTORY_BYTES);
  if ('problem' in read) {
    throw new ZkpseudoError(`Cannot read ${file}: ${read.code === 'ENOENT' ? 'there is no such file' : read.problem}.`, 'Give the file `zkpseudo chaos --history FILE` wrote.', read.code === 'ENOENT' || read.code === 'EISDIR' ? ExitCode.usage : ExitCode.failed);
  }
  return parseHistory(read.text, file);
}

export async function checkHistoryCommand(c: CommandContext, file: string, opts: { reads?: string; timeLimit?: string }): Promise<number> {
  const reads = readMode(opts.reads);
  const timeLimitMs = opts.timeLimit === undefined ? undefined : parseDuration(opts.timeLimit);
  if (opts.timeLimit !== undefined && timeLimitMs === undefined) throw new UsageError(`--time-limit "${opts.timeLimit}" is not a duration from 1ms to 24h.`, 'Give a duration like 30s or 5m.');
  const history = await loadHistory(file);
  const report = checkHistory(history, { reads, timeLimitMs });
  const m = history.meta;
  if (c.o.json) printJson(c.o, report);
  else if (!c.o.quiet) c.o.out(formatReport(report, `replay: zkpseudo chaos --seed ${m.seed} --duration ${m.durationMs / 1000}s --interval ${m.intervalMs / 1000}s --workload ${m.workload} --check (on an ensemble shaped like "${m.ensemble}": servers ${m.servers.join(', ')})`));
  return report.valid === true ? ExitCode.ok : report.valid === false ? ExitCode.failed : ExitCode.degraded;
}
