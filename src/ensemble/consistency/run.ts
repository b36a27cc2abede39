/**
 * A consistency run: a seeded chaos schedule against the ensemble while K real clients perform
 * a workload, everything recorded in one history. K defaults to one client pinned to each
 * server plus one on the whole connect string. After the schedule every fault is undone, the
 * ensemble is given time to become healthy, and a fresh client takes the last look the checker
 * needs (final reads, the drain). The run's znodes live under one root, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { connect, CreateMode, type Session } from '../../edge/zkclient.js';
import { ZkpseudoError } from '../../errors.js';
import { chaosPlan, seededRandom } from '../faults/chaos-plan.js';
import { runChaosPlan, type ChaosStep } from '../faults/chaos-run.js';
import type { OpContext } from '../lifecycle/ops.js';
import { connectString } from '../observe/probe.js';
import { sleep } from '../../edge/sleep.js';
import { waitHealthy } from '../observe/wait-healthy.js';
import { readSpec } from '../store/spec-file.js';
import { HISTORY_FORMAT, type ClientInfo, type History, type Workload } from './check/history.js';
import { lockWorkload } from './lock-workload.js';
import { queueWorkload } from './queue-workload.js';
import { Recorder } from './recorder.js';
import { registerWorkload } from './register-workload.js';
import { Worker } from './worker.js';
import type { WorkloadRun } from './workload.js';

export interface ConsistencyRunOptions {
  seed: number;
  durationMs: number;
  intervalMs: number;
  workload: Workload;
  /** Clients performing the workload (default: one per server plus one on the whole connect string). */
  clients?: number;
  /** Operations per second, all clients together (default 100). */
  rate?: number;
  /** Ends the run early: faults are undone, the history so far is returned. */
  signal?: AbortSignal;
  onStep?: (step: ChaosStep) => void;
}

export interface ConsistencyRun {
  history: History;
  interrupted: boolean;
  /** Set when the final heal failed. */
  healFailure?: string;
}

const workloads: Record<Workload, () => WorkloadRun> = { register: () => registerWorkload(), queue: queueWorkload, lock: lockWorkload };

/** Removes a znode and everything below it (ephemerals of other sessions included: the ACL is open). */
async function removeTree(s: Session, path: string): Promise<void> {
  for (const child of await s.getChildren(path).catch(() => [] as string[])) await removeTree(s, `${path}/${child}`);
  await s.remove(path).catch(() => undefined);
}

export async function runConsistency(op: OpContext, opts: ConsistencyRunOptions): Promise<ConsistencyRun> {
  const spec = await readSpec(op.paths);
  const ids = spec.members.map((m) => m.id);
  const whole = connectString(spec);
  const addresses = whole.split(',');
  const portOwner = new Map<number, number>();
  spec.members.forEach((m, i) => { portOwner.set(m.ports.client, m.id); portOwner.set(Number(addresses[i]!.split(':')[1]), m.id); });
  const serverOf = (port: number | undefined) => (port === undefined ? null : portOwner.get(port) ?? null);

  const admin = await connect(whole, 20_000).catch((err: unknown) => {
    throw new ZkpseudoError(`Ensemble "${spec.name}" does not serve, so a workload cannot run (${(err as Error).message}).`, `Run \`zkpseudo status --name ${spec.name}\`; \`zkpseudo up --name ${spec.name}\` or \`zkpseudo wait healthy\` first.`);
  });
  const root = `/zkpseudo-chaos-${opts.seed}-${randomBytes(3).toString('hex')}`;
  const workload = workloads[opts.workload]();
  const workers: Worker[] = [];
  try {
    let shape;
    try {
      await admin.create(root, '', CreateMode.PERSISTENT);
      shape = await workload.setup(admin, root);
    } finally {
      admin.close();
      setTimeout(() => admin.abandon(), 1000).unref();
    }
    const count = opts.clients ?? ids.length + 1;
    const clients: ClientInfo[] = Array.from({ length: count }, (_, i) => ({ client: i + 1, server: i < ids.length ? ids[i]! : null, role: 'worker' }));
    const finalClient: ClientInfo = { client: count + 1, server: null, role: 'final' };
    const rec = new Recorder();
    let stopped = false;
    const aborted = () => !!opts.signal?.aborted;
    const make = (c: ClientInfo, done: () => boolean) => new Worker({
      client: c.client, pinned: c.server, address: c.server === null ? whole : addresses[ids.indexOf(c.server)]!, serverOf, recorder: rec,
      stopped: done, sessionTimeoutMs: 10_000,
    });
    workers.push(...clients.map((c) => make(c, () => stopped || aborted())));
    const meanPauseMs = (count * 1000) / (opts.rate ?? 100);
    const loops = workers.map(async (w) => {
      const random = seededRandom((opts.seed * 7919 + w.client) >>> 0);
      while (!stopped && !aborted()) {
        await workload.step(w, random);
        await sleep(meanPauseMs * 2 * random(), opts.signal);
      }
    });
    const plan = chaosPlan(opts.seed, opts.durationMs, opts.intervalMs, ids, !!spec.faults);
    const chaos = runChaosPlan(op, spec, plan, {
      signal: opts.signal,
      elapsed: () => rec.now(),
      onStep: (s) => { rec.fault(s); opts.onStep?.(s); },
    });
    // The clients stop at the end of the duration (or an interrupt); the schedule restores after its last step.
    await sleep(Math.max(0, opts.durationMs - rec.now()), opts.signal);
    stopped = true;
    // Every client's loop ends and the schedule restores everything before anything else — even
    // when a loop failed, which is then reported.
    const ended = await Promise.allSettled(loops);
    const { interrupted, healFailure } = await chaos;
    const failed = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failed) throw failed.reason;
    if (!interrupted) {
      // The last look needs a serving ensemble; if it never becomes healthy, the checker says what it cannot know.
      await waitHealthy(op.paths, spec, { timeoutMs: 60_000, signal: opts.signal }).catch(() => undefined);
      const final = make(finalClient, aborted);
      workers.push(final);
      if (!aborted()) await workload.finish(final);
    }
    rec.end(interrupted || !!opts.signal?.aborted);
    const history: History = {
      meta: {
        type: 'meta', format: HISTORY_FORMAT, workload: opts.workload, seed: opts.seed, ensemble: spec.name, servers: ids,
        durationMs: opts.durationMs, intervalMs: opts.intervalMs, startedAt: new Date(Date.now() - rec.now()).toISOString(), root,
        clients: [...clients, finalClient], ...shape,
      },
      events: rec.events,
    };
    return { history, interrupted: interrupted || !!opts.signal?.aborted, healFailure };
  } finally {
    for (const w of workers) w.close();
    // A fresh session: the first one may have ended with a fault.
    const cleaner = await connect(whole, 10_000).catch(() => undefined);
    if (cleaner) {
      await removeTree(cleaner, root).catch(() => undefined);
      cleaner.close();
      setTimeout(() => cleaner.abandon(), 1000).unref();
    }
  }
}
