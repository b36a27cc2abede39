/**
 * Machine-wide port reservations. Checking that a port is free and the server binding it are
 * a second or more apart; two `up`s of different ensembles on the same ports would both pass
 * the check. So each `up` reserves its ports in one registry, under one lock, and holds the
 * reservation until its servers hold the ports. A reservation whose process died lapses.
 */
import { mkdirOwned, writeOwned } from './fs/owned-fs.js';
import { int, list, object, readBack, str, type Decoder } from './fs/decode.js';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './process/process.js';
import { busyPorts } from './ports.js';
import { withLock } from './lock/lock.js';

interface Reservation {
  pid: number;
  holder: string;
  ports: number[];
}

/**
 * One registry per user and machine (ports are a machine-wide resource): under /tmp itself,
 * not $TMPDIR, which a CI job or test runner may point somewhere private.
 */
export function reservationDir(env: NodeJS.ProcessEnv): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const base = process.platform === 'win32' ? os.tmpdir() : '/tmp';
  return env.ZKPSEUDO_RUNTIME_DIR || path.join(base, `zkpseudo-runtime-${uid}`);
}

/** The largest pid Linux hands out (pid_max's ceiling), and more ports than any ensemble with fault proxies holds. */
const MAX_PID = 4_194_304;
const MAX_PORTS = 4096;

/** ports.json as written: a list of reservations, strictly. */
export const RESERVATIONS: Decoder<Reservation[]> = list(
  object<Reservation>({
    pid: int(1, MAX_PID, 'a process id'),
    holder: str('a holder\'s name', /^[^\0-\x1f]*$/, 200),
    ports: list(int(1, 65535, 'a port number'), { max: MAX_PORTS, what: `a list of at most ${MAX_PORTS} ports` }),
  }),
  { max: 1000, what: 'a list of reservations' },
);

/**
 * The reservations on record. A damaged registry (truncated, `null`, junk) is moved aside and
 * reported; it counts as empty, which only drops the reservations of `up`s in flight: the
 * ports they already hold are still found busy when tried.
 */
async function load(file: string, onNotice?: (text: string) => void): Promise<Reservation[]> {
  const read = await readBack(file, RESERVATIONS, {
    maxBytes: 8 * 1024 * 1024,
    ...(onNotice ? { report: { root: path.dirname(file), say: onNotice, what: 'The port registry', then: 'went on without the reservations it held (ports in use are still found busy)' } } : {}),
  });
  return read.state === 'ok' ? read.value : [];
}

async function save(file: string, list: Reservation[]): Promise<void> {
  await writeOwned(path.dirname(file), file, JSON.stringify(list), { mode: 0o600 });
}

export type Conflict = { port: number; reservedBy?: string };

/**
 * Reserves `ports` for `holder` if every one is free and unreserved; otherwise returns the
 * conflicts and reserves nothing. The returned release() drops the reservation.
 */
export async function reservePorts(env: NodeJS.ProcessEnv, holder: string, ports: number[], onNotice?: (text: string) => void): Promise<{ conflicts: Conflict[]; release: () => Promise<void> }> {
  const dir = reservationDir(env);
  await mkdirOwned(dir, dir, 0o700);
  const file = path.join(dir, 'ports.json');
  const nothing = async () => undefined;
  return withLock(file, 'the port reservations', async () => {
    const live: Reservation[] = [];
    for (const r of await load(file, onNotice)) if (r.pid !== process.pid || r.holder !== holder) if (await isAlive(r.pid)) live.push(r);
    const conflicts: Conflict[] = [];
    for (const r of live) for (const p of r.ports) if (ports.includes(p)) conflicts.push({ port: p, reservedBy: `${r.holder} (pid ${r.pid}), starting now` });
    for (const p of await busyPorts(ports)) if (!conflicts.some((c) => c.port === p)) conflicts.push({ port: p });
    if (conflicts.length) {
      await save(file, live);
      return { conflicts: conflicts.sort((a, b) => a.port - b.port), release: nothing };
    }
    await save(file, [...live, { pid: process.pid, holder, ports }]);
    let released = false;
    return {
      conflicts,
      release: async () => {
        if (released) return;
        released = true;
        await withLock(file, 'the port reservations', async () => {
          // No one to tell at release: a damaged file is moved aside, then rewritten without this reservation.
          await save(file, (await load(file, () => undefined)).filter((r) => !(r.pid === process.pid && r.holder === holder)));
        }).catch(() => undefined);
      },
    };
  }, 30_000);
}
