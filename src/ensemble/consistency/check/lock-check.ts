/**
 * The lock workload's check (pure): at most one holder at any time, by the lease each session
 * held. A client holds the lock from the moment it learns its ephemeral-sequential node is the
 * lowest until it begins to release it — but never longer than its session is sure to live:
 * ZooKeeper cannot expire a session until its timeout has passed since the servers last heard
 * from it, so the lease ends at the send time of the last answered request plus the session
 * timeout (or earlier, when the client saw its session expire or gave it up). A client cut off
 * while holding must stop trusting the lock then; another acquiring after that is correct.
 */
import type { FaultEvent, History, Op } from './history.js';
import { sessionEvents } from './history.js';
import { faultsAround, opName, verdict, windowOf, type PropertyVerdict, type Violation } from './verdict.js';

export interface Hold {
  acquire: Op;
  release?: Op;
  start: number;
  end: number;
  /** What ended the lease. */
  endedBy: string;
}

const at = (t: number) => `+${(t / 1000).toFixed(3)} s`;

/** Each acknowledged acquisition with the lease it gave its session. */
export function holds(h: History, ops: Op[]): Hold[] {
  const sessions = sessionEvents(h);
  const timeout = new Map<string, number>();
  for (const s of sessions) if (s.event === 'open' && s.timeoutMs) timeout.set(s.session, s.timeoutMs);
  const last = Math.max(0, ...h.events.map((e) => e.t));
  const out: Hold[] = [];
  const bySession = new Map<string, Op[]>();
  for (const o of ops) {
    if (o.f !== 'acquire' && o.f !== 'release') continue;
    const list = bySession.get(o.session);
    if (list) list.push(o); else bySession.set(o.session, [o]);
  }
  for (const [session, list] of bySession) {
    list.sort((a, b) => a.call - b.call);
    list.forEach((a, i) => {
      if (a.f !== 'acquire' || a.outcome !== 'ok') return;
      const release = list.slice(i + 1).find((o) => o.f === 'release');
      const lost = sessions.find((s) => s.session === session && s.event !== 'open' && s.t >= a.ret);
      const ms = timeout.get(session);
      const ends: [number, string][] = [[last, 'the end of the run']];
      if (release) ends.push([release.call, `release ${opName(release)} began`]);
      if (lost) ends.push([lost.t, `the session was ${lost.event}`]);
      if (ms !== undefined) ends.push([(a.result.heard ?? a.call) + ms, `its session timeout (${ms} ms) since it was last heard`]);
      const [end, endedBy] = ends.reduce((m, e) => (e[0] < m[0] ? e : m));
      out.push({ acquire: a, release, start: a.ret, end, endedBy });
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

export function checkLock(h: History, ops: Op[], faults: FaultEvent[]): PropertyVerdict[] {
  const all = holds(h, ops);
  const violations: Violation[] = [];
  let holder: Hold | undefined;
  for (const next of all) {
    if (holder && next.start < holder.end && next.acquire.session !== holder.acquire.session) {
      const w = windowOf(holder.acquire, holder.release, next.acquire);
      violations.push({
        property: 'mutual-exclusion', kind: 'two-holders', ops: w, faults: faultsAround(faults, w, h.meta.intervalMs),
        explanation: `two clients held the lock at once: client ${holder.acquire.client} (session ${holder.acquire.session}) held it from ${at(holder.start)} until ${at(holder.end)} (${holder.endedBy}), and client ${next.acquire.client} (session ${next.acquire.session}) acquired it at ${at(next.start)} (${opName(next.acquire)})`,
      });
    }
    if (!holder || next.end > holder.end) holder = next;
  }
  const sessionsHolding = new Set(all.map((x) => x.acquire.session)).size;
  return [verdict('mutual-exclusion', 'at most one client held the lock at any time, by the lease its session held', violations, undefined, `${all.length} acquisitions by ${sessionsHolding} sessions`)];
}
