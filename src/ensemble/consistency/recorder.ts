/**
 * Writes a history down as it happens: every client's invocations and completions and every
 * fault step on one monotonic clock (performance.now, in ms from the start, to the microsecond).
 * One process runs the clients and the schedule, so one clock orders them all.
 */
import type { ChaosStep } from '../faults/chaos-run.js';
import type { CompletionEvent, HistoryEvent, InvokeEvent, Outcome, SessionEvent } from './check/history.js';

export class Recorder {
  readonly events: HistoryEvent[] = [];
  private nextOp = 1;
  private readonly t0: number;

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.t0 = clock();
  }

  /** Milliseconds since the recorder was made. */
  now(): number {
    return Math.round((this.clock() - this.t0) * 1000) / 1000;
  }

  invoke(e: Omit<InvokeEvent, 'type' | 'op' | 't'>): number {
    const op = this.nextOp++;
    this.events.push({ type: 'invoke', op, t: this.now(), ...e });
    return op;
  }

  complete(op: number, type: Outcome, fields: Omit<CompletionEvent, 'type' | 'op' | 't'> = {}): void {
    this.events.push({ type, op, t: this.now(), ...fields });
  }

  session(e: Omit<SessionEvent, 'type' | 't'>): void {
    this.events.push({ type: 'session', t: this.now(), ...e });
  }

  /** A fault step as chaos-run reports it; `t` is when it began or ended. */
  fault(step: ChaosStep): void {
    this.events.push({ type: 'fault', t: this.now(), phase: step.phase, action: step.action, error: step.error });
  }

  end(interrupted: boolean): void {
    this.events.push({ type: 'end', t: this.now(), interrupted });
  }
}
