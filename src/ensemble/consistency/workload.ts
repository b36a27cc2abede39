/**
 * What a workload is to a consistency run: znodes to make before the clock starts, one
 * operation at a time for each worker, and a last look at the end state once every fault is
 * healed (the final reads or the drain the checker needs).
 */
import type { Session } from '../../edge/zkclient.js';
import type { MetaEvent } from './check/history.js';
import type { Worker } from './worker.js';

export interface WorkloadRun {
  /** Makes the workload's znodes under `root`; returns what the history's meta line should say of them. */
  setup(admin: Session, root: string): Promise<Partial<MetaEvent>>;
  /** One operation (or one cycle, for the lock) by `w`. */
  step(w: Worker, random: () => number): Promise<void>;
  /** After the faults are healed, through a fresh client. */
  finish(final: Worker): Promise<void>;
}
