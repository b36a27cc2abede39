/** Waiting for a healthy quorum, reporting each poll, failing early when a server dies. */
import { InterruptedError, ZkpseudoError } from '../../errors.js';
import { sleep } from '../../edge/sleep.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from '../store/layout.js';
import { probeEnsemble, type EnsembleStatus } from './probe.js';
import { logTail } from './logs.js';
import { diagnoseStartFailure, repairHint, type StartFailure } from '../../zk/logs/startfail.js';
import { othersCanHoldQuorum } from '../../zk/state/health.js';
import { securityRefusal } from '../security/diagnose.js';

/** A secured ensemble not healthy this long after the wait began, whose logs show a refused handshake, fails at once. */
const SECURITY_GRACE_MS = 5000;

/** `up` or `waitHealthy` gave up: carries the last status and the log tails of the failing servers. */
export class HealthTimeoutError extends ZkpseudoError {
  constructor(
    message: string,
    readonly status: EnsembleStatus,
    readonly logTails: Record<number, string>,
    name = 'default',
    /** Servers that exited right after starting (empty for a plain timeout). */
    readonly exited: number[] = [],
    /**
     * Why the first of them exited, when its log says it in a known way; `resyncFrom` names the
     * other servers when its data is out of step and they can hold a quorum (then: `repair`).
     */
    readonly diagnosis?: StartFailure & { id: number; resyncFrom?: number[] },
  ) {
    const running = status.servers.filter((s) => s.pid !== null).map((s) => s.id);
    const flag = name === 'default' ? '' : ` --name ${name}`;
    super(message, diagnosis?.diskFull
      ? `Free space on the file system that holds ${diagnosis.dataDir ?? 'its data directory'} (\`df -h\`), then run \`zkpseudo up${flag}\` again.`
      : diagnosis?.resyncFrom
      ? repairHint(diagnosis.id, name, diagnosis.resyncFrom)
      : exited.length
      ? `Read why in the log: \`zkpseudo logs ${exited[0]}${flag}\`; fix it, then run \`zkpseudo up${flag}\` again.`
      : running.length
      ? `Server${running.length > 1 ? 's' : ''} ${running.join(', ')} ${running.length > 1 ? 'were' : 'was'} left running for inspection: \`zkpseudo status${flag}\`, \`zkpseudo logs ID${flag}\`; \`zkpseudo down${flag}\` stops them.`
      : `No server is running; read why with \`zkpseudo logs ID${flag}\`, then run \`zkpseudo up${flag}\` again.`);
    this.name = 'HealthTimeoutError';
  }
}

/** Linux's letters for a process stopped by a signal (SIGSTOP: `zkpseudo pause`) or a tracer. */
export const isPausedState = (state: string | undefined) => state === 'T' || state === 't';

/**
 * Servers that are paused (SIGSTOP) can never answer, so waiting for health is pointless:
 * said at once, with the way out. `up` does not resume them itself — a pause is often what a
 * test wants to keep — so this fails (exit 2) and names `zkpseudo resume`.
 */
export class PausedServersError extends ZkpseudoError {
  readonly ids: number[];
  constructor(ids: number[], name: string) {
    const flag = name === 'default' ? '' : ` --name ${name}`;
    const which = `${ids.length > 1 ? 'Servers' : 'Server'} ${ids.join(', ')}`;
    super(
      `${which} of ensemble "${name}" ${ids.length > 1 ? 'are' : 'is'} paused (SIGSTOP, as \`zkpseudo pause\` does), so the ensemble cannot become healthy; \`up\` does not resume ${ids.length > 1 ? 'them' : 'it'} on its own and stopped waiting.`,
      `Resume ${ids.length > 1 ? 'them' : 'it'} with \`zkpseudo resume ${ids.length > 1 ? 'all' : ids[0]}${flag}\` (add --wait to wait until ${ids.length > 1 ? 'they serve' : 'it serves'}), then run \`zkpseudo up${flag}\` again if anything else is missing.`,
    );
    this.name = 'PausedServersError';
    this.ids = ids;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  intervalMs?: number;
  onStatus?: (status: EnsembleStatus) => void;
  /** Ids that must have a live process; a server among them that is `down` twice in a row fails the wait. */
  mustRun?: number[];
  /**
   * Wait this long before the first poll: right after a launch no JVM can answer yet, and on
   * two cores every poll takes time from the booting JVMs.
   */
  firstPollMs?: number;
  /** Fail at once with PausedServersError when a server is paused (it would never answer). */
  failOnPaused?: boolean;
}

export { sleep } from '../../edge/sleep.js';

/** Polls every server until the ensemble is healthy; throws HealthTimeoutError otherwise. */
export async function waitHealthy(paths: EnsemblePaths, spec: EnsembleSpec, opts: WaitOptions): Promise<EnsembleStatus> {
  const deadline = Date.now() + opts.timeoutMs;
  const downCount = new Map<number, number>();
  let status: EnsembleStatus;
  const began = Date.now();
  let nextSecurityLook = began + SECURITY_GRACE_MS;
  if (opts.firstPollMs) await sleep(opts.firstPollMs, opts.signal);
  for (;;) {
    if (opts.signal?.aborted) throw new InterruptedError('Waiting for a healthy quorum');
    status = await probeEnsemble(paths, spec, Math.min(1000, Math.max(200, deadline - Date.now())));
    opts.onStatus?.(status);
    if (status.health.state === 'healthy') return status;
    const paused = status.servers.filter((s) => s.role === 'paused').map((s) => s.id);
    if (opts.failOnPaused && paused.length) throw new PausedServersError(paused, spec.name);
    for (const s of status.servers) {
      downCount.set(s.id, s.role === 'down' && opts.mustRun?.includes(s.id) ? (downCount.get(s.id) ?? 0) + 1 : 0);
    }
    const died = [...downCount].filter(([, n]) => n >= 2).map(([id]) => id);
    if (died.length) return fail(paths, spec, status, `Server${died.length > 1 ? 's' : ''} ${died.join(', ')} exited right after starting`, died);
    if (spec.security && Date.now() >= nextSecurityLook) {
      // A lasting TLS or SASL refusal between servers (a certificate, a password, plaintext
      // against TLS: never seen on a healthy start) does not cure itself: name it now, not after
      // the timeout. Routine hiccups (a handshake cut short while connections settle) do not count.
      nextSecurityLook = Date.now() + 2000;
      const refused = await securityRefusal(paths, spec, began - 1000);
      if (refused) return fail(paths, spec, status, `Server ${refused.id} cannot talk to the other servers securely: ${refused.reason}`, []);
    }
    if (Date.now() >= deadline) return fail(paths, spec, status, `The ensemble did not become healthy within ${Math.round(opts.timeoutMs / 1000)} s`, []);
    await sleep(opts.intervalMs ?? 50, opts.signal);
  }
}

async function fail(paths: EnsemblePaths, spec: EnsembleSpec, status: EnsembleStatus, what: string, exited: number[]): Promise<never> {
  const failing = status.servers.filter((s) => status.health.unhealthy.includes(s.id));
  const tails: Record<number, string> = {};
  await Promise.all(failing.map(async (s) => { tails[s.id] = await logTail(paths, s.id); }));
  // A known cause in an exited server's log is named in words (data out of step points at
  // `repair`); otherwise its last ERROR line.
  for (const id of exited) {
    const known = diagnoseStartFailure(await logTail(paths, id, 300));
    if (!known) continue;
    const others = spec.members.map((m) => m.id).filter((m) => m !== id);
    const resync = known.outOfStep && othersCanHoldQuorum(spec.members, id);
    const diagnosis = { ...known, id, ...(known.diskFull ? { dataDir: paths.server(id).dataDir } : {}), ...(resync ? { resyncFrom: others } : {}) };
    const where = known.diskFull ? `the disk that holds ${paths.server(id).dataDir} is full (No space left on device)` : `${known.file ? `${known.file}: ` : ''}${known.problem}`;
    throw new HealthTimeoutError(`${what}: ${where} (${status.health.summary}).`, status, tails, spec.name, exited, diagnosis);
  }
  const cause = exited.map((id) => (tails[id] ?? '').split('\n').filter((l) => /ERROR|Exception/.test(l)).pop()).find(Boolean);
  throw new HealthTimeoutError(`${what} (${status.health.summary})${cause ? `: ${cause.trim().slice(0, 300)}` : ''}.`, status, tails, spec.name, exited);
}
