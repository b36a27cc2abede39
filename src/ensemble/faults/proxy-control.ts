/**
 * The fault proxy of an ensemble created with `faults`: where its state lives, starting it
 * (before the servers, which dial their peers through it), finding it in the process table,
 * stopping it (after the servers), and changing the faults in force.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { openAppendOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import { readBack, str, type Decoder } from '../../edge/fs/decode.js';
import { helperScript } from '../../edge/fs/package-files.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import { isAlive, waitGone } from '../../edge/process/process.js';
import { processesWith, processGone, procOps, ProcessTableError } from '../../edge/process/proctable.js';
import { FAULT_STATE, NO_FAULTS, type FaultState } from './links.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from '../store/layout.js';

export const FAULT_PROXY_FLAG = '--zkpseudo-fault-proxy';
/** The proxy program, under the package's dist/ (edge/fs/package-files). */
const PROXY_SCRIPT = 'ensemble/faults/proxy-main.js';

export function faultFiles(paths: EnsemblePaths) {
  return {
    state: `${paths.dir}/faults.json`,
    applied: `${paths.dir}/faults.applied`,
    log: `${paths.dir}/fault-proxy.log`,
  };
}

/** The ensemble's live fault proxy pid, from the process table (its command line names the ensemble). */
export async function proxyPid(paths: EnsemblePaths): Promise<number | undefined> {
  for (const p of await processesWith(FAULT_PROXY_FLAG)) {
    const at = p.argv.indexOf(FAULT_PROXY_FLAG);
    if (at >= 0 && p.argv[at + 1] === paths.home && p.argv[at + 2] === paths.name) return p.pid;
  }
  return undefined;
}

/**
 * The faults in force, from faults.json (decoded strictly). A damaged file reads as no faults,
 * numbered past the generation the proxy applied last, so the next change is applied and
 * waited for; with `onNotice` it is moved aside and named (a status poll only reads it).
 */
export async function readFaultState(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<FaultState> {
  const read = await readBack(faultFiles(paths).state, FAULT_STATE, {
    maxBytes: 1024 * 1024,
    ...(onNotice ? { report: { root: paths.home, say: onNotice, what: 'The fault state', then: 'the faults in force are unknown; `zkpseudo heal` restores every link' } } : {}),
  });
  if (read.state === 'ok') return read.value;
  return read.state === 'missing' ? NO_FAULTS : { ...NO_FAULTS, generation: Math.max(0, await appliedGeneration(paths)) };
}

/**
 * faults.applied: the generation the proxy last applied, one number on one line; -1 when none.
 * A damaged one reads as -1 (nothing applied yet): the proxy rewrites it with its next change.
 */
export const APPLIED: Decoder<number> = (v, at) => {
  const d = str('a generation number', /^(-1|\d{1,15})\n?$/, 17)(v, at);
  return d.ok ? { ok: true, value: Number(d.value.trim()) } : d;
};

async function appliedGeneration(paths: EnsemblePaths): Promise<number> {
  const read = await readBack(faultFiles(paths).applied, APPLIED, { as: 'text', maxBytes: 64 });
  return read.state === 'ok' ? read.value : -1;
}

async function untilApplied(paths: EnsemblePaths, generation: number, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await appliedGeneration(paths)) >= generation) return true;
    if (!(await isAlive(pid))) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Starts the proxy unless it runs, and waits until it listens with the current state applied. */
export async function ensureProxy(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<number> {
  const running = await proxyPid(paths);
  if (running) return running;
  const files = faultFiles(paths);
  await writeOwned(paths.home, files.applied, '-1\n');
  const log = await openAppendOwned(paths.home, files.log);
  try {
    const child = spawn(process.execPath, [helperScript(PROXY_SCRIPT), FAULT_PROXY_FLAG, paths.home, paths.name], { detached: true, stdio: ['ignore', log.fd, log.fd] });
    child.unref();
    const state = await readFaultState(paths, onNotice);
    if (!child.pid || !(await untilApplied(paths, state.generation, child.pid, 10_000))) {
      const log = (await readFile(files.log, 'utf8').catch(() => '')).trim();
      const said = /^\w*Error\b.*$/m.exec(log)?.[0] ?? log.split('\n').slice(-1)[0] ?? '';
      throw new ZkpseudoError(`The fault proxy of "${paths.name}" did not start${said ? `: ${said}` : ''}.`, `Read ${files.log}; \`zkpseudo down --name ${paths.name}\` then \`up\` tries again.`);
    }
    return child.pid;
  } finally {
    await log.close();
  }
}

/** Stops the proxy (after the servers: they dial their peers through it); true once it is seen gone. */
export async function stopProxy(paths: EnsemblePaths): Promise<boolean> {
  const pid = await proxyPid(paths);
  if (!pid) return false;
  const send = (signal: NodeJS.Signals) => {
    try {
      procOps.kill(pid, signal);
    } catch (err) {
      if (!processGone(err)) throw new ProcessTableError(`kill -${signal.replace(/^SIG/, '')} ${pid}`, err, `send ${signal} to the fault proxy`);
    }
  };
  send('SIGTERM');
  if (await waitGone(pid, 5_000)) return true;
  send('SIGKILL');
  if (await waitGone(pid, 2_000)) return true;
  throw new ZkpseudoError(`The fault proxy of "${paths.name}" (pid ${pid}) still runs after SIGTERM and SIGKILL.`, `Look at it with \`ps -o pid,stat,cmd -p ${pid}\`, and run the command again once it has gone.`);
}

/**
 * The error of every fault command (and the note of `status`) when an ensemble made with
 * faults has no proxy running: its links go nowhere, so nothing can be cut or restored.
 */
export function proxyNotRunning(name: string, detail = 'is not running'): ZkpseudoError {
  return new ZkpseudoError(
    `The fault proxy of ensemble "${name}" ${detail}, so no link can be cut, slowed or restored (and its servers cannot reach each other or their clients through it).`,
    `\`zkpseudo up --name ${name}\` restarts it, with the faults last set; the servers keep running and their data is kept.`,
  );
}

/**
 * Writes a new fault state and, when the proxy runs, waits until it has applied it, so a
 * command that returns has really cut (or healed) the links.
 */
export async function setFaults(paths: EnsemblePaths, spec: EnsembleSpec, change: (s: FaultState) => FaultState | string, onNotice?: (text: string) => void): Promise<FaultState> {
  if (!spec.faults) {
    throw new UsageError(
      `Ensemble "${spec.name}" was not created with --faults, so its links cannot be cut or slowed.`,
      `Re-create it with faults: \`zkpseudo down --purge --name ${spec.name}\`, then \`zkpseudo up --faults --name ${spec.name}\` (kill, pause and resume work on any ensemble).`,
    );
  }
  const next = change(await readFaultState(paths, onNotice));
  if (typeof next === 'string') throw new UsageError(`${next}.`, 'Name every server once, like `zkpseudo partition 1,2 3,4,5`.');
  // Without a live proxy nothing would apply the change: refuse before writing it.
  const pid = await proxyPid(paths);
  if (!pid) throw proxyNotRunning(spec.name);
  const file = faultFiles(paths).state;
  await writeOwned(paths.home, file, JSON.stringify(next));
  if (!(await untilApplied(paths, next.generation, pid, 5_000))) {
    if (!(await isAlive(pid))) throw proxyNotRunning(spec.name, `exited before it applied the change (read ${faultFiles(paths).log})`);
    throw new ZkpseudoError(`The fault proxy of "${spec.name}" did not apply the change in time.`, `Read ${faultFiles(paths).log}.`);
  }
  return next;
}
