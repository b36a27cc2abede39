/**
 * A reproducible fault schedule (pure): from a seed, the same sequence of faults and
 * recoveries every time, so a flaky client test can be replayed exactly. Each fault lasts
 * half an interval and is undone before the next one starts.
 */

export type ChaosAction =
  | { kind: 'kill'; id: number }
  | { kind: 'start'; id: number }
  | { kind: 'pause'; id: number }
  | { kind: 'resume'; id: number }
  | { kind: 'isolate'; id: number }
  | { kind: 'partition'; groups: number[][] }
  | { kind: 'heal' };

export interface ChaosEvent {
  /** Milliseconds from the start of the run. */
  atMs: number;
  action: ChaosAction;
}

/** mulberry32: a small, well-known seeded generator (not for secrets; for replayable runs). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The schedule for `ids` over `durationMs`: a fault every `intervalMs`, each undone half an
 * interval later. Network faults are drawn only when the ensemble has fault proxies.
 */
export function chaosPlan(seed: number, durationMs: number, intervalMs: number, ids: number[], networkFaults: boolean): ChaosEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const kinds = networkFaults ? ['kill', 'pause', 'isolate', 'partition'] as const : ['kill', 'pause'] as const;
  const events: ChaosEvent[] = [];
  for (let at = 0; at + intervalMs / 2 <= durationMs; at += intervalMs) {
    const kind = pick([...kinds]);
    const id = pick(ids);
    const undo = at + Math.floor(intervalMs / 2);
    if (kind === 'kill') events.push({ atMs: at, action: { kind, id } }, { atMs: undo, action: { kind: 'start', id } });
    else if (kind === 'pause') events.push({ atMs: at, action: { kind, id } }, { atMs: undo, action: { kind: 'resume', id } });
    else if (kind === 'isolate') events.push({ atMs: at, action: { kind, id } }, { atMs: undo, action: { kind: 'heal' } });
    else {
      // A minority split off at random: the majority keeps serving.
      const shuffled = [...ids].sort(() => random() - 0.5);
      const minority = shuffled.slice(0, Math.max(1, Math.floor((ids.length - 1) / 2)));
      events.push({ atMs: at, action: { kind, groups: [minority.sort((a, b) => a - b), ids.filter((x) => !minority.includes(x))] } }, { atMs: undo, action: { kind: 'heal' } });
    }
  }
  return events;
}

export function describeAction(a: ChaosAction): string {
  switch (a.kind) {
    case 'partition': return `partition ${a.groups.map((g) => g.join(',')).join(' ')}`;
    case 'heal': return 'heal';
    default: return `${a.kind} ${a.id}`;
  }
}
