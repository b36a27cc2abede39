/**
 * Who holds a zkpseudo lock: the owner record put in every lock directory, decoded strictly
 * when read back, and judged by whether the process it names still lives. On one machine that
 * judgement is exact — a pid and its start time name one process for as long as it lives — so
 * a lock never goes stale while its holder runs, however long it is stopped (Ctrl-Z, SIGSTOP),
 * and is free the moment its holder is gone, however it died.
 */
import { randomBytes } from 'node:crypto';
import { readFile, readlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { processState, startTime } from '../process/proctable.js';

export interface LockOwner {
  pid: number;
  /** The pid's start time in clock ticks since boot (Linux), so a reused pid is not taken for it; null elsewhere. */
  startTime: number | null;
  /** The worker thread that took it: one process may hold locks from several threads. */
  thread: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id: tells a lock from before a reboot; null off Linux. */
  bootId: string | null;
  /** /proc/self/ns/pid: a pid means nothing in another PID namespace (a container); null off Linux. */
  pidNamespace: string | null;
  /** The holder's command line, for messages only (`zkpseudo up 3`). */
  command: string;
  /** When it was taken, in ms since the epoch. */
  createdAt: number;
  /** Unique to this taking of the lock: tells it from a later lock of the same process. */
  nonce: string;
}

/** An owner record is a few hundred bytes; anything much larger is not one. */
export const MAX_OWNER_BYTES = 4096;

const NONCE = /^[0-9a-f]{16,64}$/;
const MAX_PID = 4_194_304; // Linux's PID_MAX_LIMIT; other systems stay below it.

/**
 * The record in `text`, or why it is not one. Wrong types, out-of-range numbers, null, huge
 * strings: all refused, so a damaged or hand-written file is never mistaken for a holder.
 * Keys it does not know are ignored, so a later zkpseudo can add one without making an older
 * one take its live locks for garbage.
 */
export function decodeOwner(text: string): LockOwner | string {
  if (text.length > MAX_OWNER_BYTES) return `it is ${text.length} bytes long`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text.trim() ? 'it is not JSON' : 'it is empty';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `it holds ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}, not an object`;
  const r = v as Record<string, unknown>;
  const int = (x: unknown, min: number, max: number) => typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max;
  const str = (x: unknown, max: number) => typeof x === 'string' && x.length <= max;
  const strOrNull = (x: unknown, max: number) => x === null || (str(x, max) && x !== '');
  if (!int(r.pid, 1, MAX_PID)) return 'pid is not a process id';
  if (!(r.startTime === null || int(r.startTime, 0, Number.MAX_SAFE_INTEGER))) return 'startTime is not a clock-tick count';
  if (!int(r.thread, 0, 2 ** 31)) return 'thread is not a thread id';
  if (!str(r.host, 255)) return 'host is not a host name';
  if (!strOrNull(r.bootId, 64)) return 'bootId is not a boot id';
  if (!strOrNull(r.pidNamespace, 64)) return 'pidNamespace is not a namespace';
  if (!str(r.command, 1024)) return 'command is not a command line';
  if (!(typeof r.createdAt === 'number' && Number.isFinite(r.createdAt) && r.createdAt >= 0)) return 'createdAt is not a time';
  if (!(typeof r.nonce === 'string' && NONCE.test(r.nonce))) return 'nonce is not one zkpseudo makes';
  const { pid, startTime: st, thread, host, bootId, pidNamespace, command, createdAt, nonce } = r as unknown as LockOwner;
  return { pid, startTime: st, thread, host, bootId, pidNamespace, command, createdAt, nonce };
}

interface Self {
  startTime: number | null;
  host: string;
  bootId: string | null;
  pidNamespace: string | null;
}

let self: Promise<Self> | undefined;

/** This process's identity, read once. */
function whoAmI(): Promise<Self> {
  self ??= (async () => ({
    startTime: (await startTime(process.pid)) ?? null,
    host: os.hostname().slice(0, 255),
    bootId: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim().slice(0, 64) || null,
    pidNamespace: (await readlink('/proc/self/ns/pid').catch(() => '')).slice(0, 64) || null,
  }))();
  return self;
}

/**
 * The command line shown to whoever waits for this lock: `zkpseudo up 3` for the CLI, else
 * what node runs (a test runner, a script using the library), shortened.
 */
export function describeCommand(argv: readonly string[] = process.argv): string {
  const [, script = '', ...args] = argv;
  const cli = /[/\\]cli[/\\]main\.[cm]?[jt]s$/.test(script) || path.basename(script) === 'zkpseudo';
  const words = cli ? ['zkpseudo', ...args] : ['node', script, ...args];
  const text = words.join(' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** A fresh owner record for a lock this thread is about to take. */
export async function newOwner(): Promise<LockOwner> {
  const me = await whoAmI();
  return { pid: process.pid, ...me, thread: threadId, command: describeCommand(), createdAt: Date.now(), nonce: randomBytes(12).toString('hex') };
}

/**
 * Nonces of the locks this thread holds now. Shared through globalThis, so two copies of
 * zkpseudo loaded in one thread agree; a record of this very thread whose nonce is not here
 * is a lock it failed to release (a disk gone read-only under it), not one it holds.
 */
export const heldHere: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('zkpseudo.heldLocks')] ??= new Set<string>()) as Set<string>;

export type Liveness =
  | { state: 'alive'; stopped: boolean }
  | { state: 'dead'; why: string }
  | { state: 'unknown'; why: string };

/** Whether the process an owner record names is still the one that took the lock. */
export async function ownerLiveness(o: LockOwner): Promise<Liveness> {
  const me = await whoAmI();
  if (o.bootId && me.bootId && o.bootId !== me.bootId) {
    if (o.host === me.host) return { state: 'dead', why: `pid ${o.pid} took it before the machine restarted` };
    return { state: 'unknown', why: `it is held by pid ${o.pid} on host ${o.host}, whose processes zkpseudo cannot see` };
  }
  if (!o.bootId && o.host !== me.host) return { state: 'unknown', why: `it is held by pid ${o.pid} on host ${o.host}, whose processes zkpseudo cannot see` };
  if (o.pidNamespace && me.pidNamespace && o.pidNamespace !== me.pidNamespace) {
    return { state: 'unknown', why: `it is held by pid ${o.pid} of another PID namespace (a container?), which zkpseudo cannot see` };
  }
  if (o.pid === process.pid && o.startTime === me.startTime) {
    if (o.thread !== threadId) return { state: 'alive', stopped: false };
    return heldHere.has(o.nonce) ? { state: 'alive', stopped: false } : { state: 'dead', why: 'this process took it and let go of it' };
  }
  // kill(pid, 0) answers even when /proc cannot be read (EMFILE, hidepid): a read error must
  // never make a live holder look dead. EPERM is another user's live process.
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { state: 'dead', why: `pid ${o.pid} has exited` };
  }
  const [started, state] = await Promise.all([startTime(o.pid), processState(o.pid)]);
  if (state === 'Z' || state === 'X') return { state: 'dead', why: `pid ${o.pid} has exited` };
  if (o.startTime !== null && started !== undefined && started !== o.startTime) return { state: 'dead', why: `pid ${o.pid} has exited (the number now belongs to another process)` };
  return { state: 'alive', stopped: state === 'T' || state === 't' };
}
