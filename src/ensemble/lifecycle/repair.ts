/**
 * `zkpseudo repair ID`: a server whose own data is out of step with the ensemble's (epoch
 * files that disagree with each other or with its transactions, a snapshot lost or unreadable)
 * cannot start. Its data is moved aside — never deleted — and it starts empty, so the leader
 * sends it the whole tree.
 *
 * Only while the other voters hold a quorum by themselves: every acknowledged write is on a
 * majority of the voters, and any two majorities share a voter, so such a quorum holds every
 * acknowledged write and ZooKeeper's election puts one that has them all in the lead. Dropping
 * this server's copy then loses nothing; without that quorum, it might hold the only copy that
 * can still be reached, and repair refuses before touching anything.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, UsageError, ZkpseudoError } from '../../errors.js';
import { withLock } from '../../edge/lock/lock.js';
import { mkdirOwned, renameOwned } from '../../edge/fs/owned-fs.js';
import { othersCanHoldQuorum, quorumWithout, type RoleOfServer } from '../../zk/state/health.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { liveServers } from '../observe/identity.js';
import { probeEnsemble, type EnsembleStatus } from '../observe/probe.js';
import { waitFor, WaitTimeoutError } from '../observe/wait-condition.js';
import { readSpec } from '../store/spec-file.js';
import type { OpContext } from './ops.js';
import { startOne, stopOne } from './servers.js';

/** Where a repaired server's old data goes, under its own data dir. */
export const QUARANTINE_DIR = 'zkpseudo-quarantine';

export interface RepairResult {
  id: number;
  /** Where the server's old data now lies: `<dataDir>/zkpseudo-quarantine/<timestamp>/`. */
  quarantined: string;
  /** The names moved there (everything that was in the data dir but `myid`). */
  moved: string[];
  /** True when the server was running and repair stopped it first. */
  stopped: boolean;
  /** The status that ended the wait: the server serving again, in a quorum. */
  status: EnsembleStatus;
}

export interface RepairOptions {
  /** How long to wait for the others' quorum after a stop, and for the server to serve again (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A directory name for this moment that sorts by time and holds no ":" (2026-03-01T10-20-30-123Z). */
export function quarantineStamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** What each server's role counts as for quorum arithmetic (as `status` assesses health). */
function roles(status: EnsembleStatus): RoleOfServer[] {
  return status.servers.map((s) => ({ id: s.id, peerType: s.peerType, role: s.role === 'starting' ? 'looking' : s.role === 'paused' ? 'down' : s.role }));
}

function refuse(spec: EnsembleSpec, id: number, why: string): ZkpseudoError {
  const others = spec.members.filter((m) => m.id !== id).map((m) => m.id);
  return new ZkpseudoError(
    `Repair would lose data: ${why}, so server ${id}'s copy may hold acknowledged writes no quorum has.`,
    `Nothing was changed. Bring the other servers back first (${others.map((o) => `\`zkpseudo start ${o} --name ${spec.name}\``).join(', ')}), wait until they serve (\`zkpseudo wait serving --name ${spec.name}\`), then run \`zkpseudo repair ${id} --name ${spec.name}\` again.`,
    ExitCode.failed,
  );
}

/**
 * Moves everything in the server's data dir but `myid` into a new quarantine directory (the
 * quarantine itself stays where it is); returns that directory and the names moved.
 */
async function quarantine(ctx: OpContext, id: number, now: Date): Promise<{ dir: string; moved: string[] }> {
  const { dataDir, home } = ctx.paths.server(id);
  const dir = path.join(dataDir, QUARANTINE_DIR, quarantineStamp(now));
  const names = (await readdir(dataDir).catch(() => [] as string[])).filter((n) => n !== 'myid' && n !== QUARANTINE_DIR).sort();
  await mkdirOwned(home, dir);
  for (const n of names) await renameOwned(home, path.join(dataDir, n), path.join(dir, n));
  return { dir, moved: names };
}

function memberOf(spec: EnsembleSpec, id: number): Member {
  const member = spec.members.find((m) => m.id === id);
  if (!member) throw new UsageError(`Ensemble "${spec.name}" has no server ${id}.`, `Valid ids are ${spec.members.map((m) => m.id).join(', ')}.`);
  return member;
}

/**
 * Repairs server `id`: checks that the other voters hold a quorum without it (refusing, with
 * nothing changed, when they do not), stops it if it runs, moves its data aside, starts it
 * and waits until it serves in a quorum again.
 */
export async function repairServer(ctx: OpContext, id: number, opts: RepairOptions = {}): Promise<RepairResult> {
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`repair: ${JSON.stringify(id)} is not a server number.`, 'Name one server by its number, like `zkpseudo repair 2`.');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const waitOpts = { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) };
  return withLock(ctx.paths.lockTarget, `ensemble "${ctx.paths.name}"`, async () => {
    const spec = await readSpec(ctx.paths);
    const member = memberOf(spec, id);
    if (!othersCanHoldQuorum(spec.members, id)) {
      const voters = spec.members.filter((m) => m.peerType === 'participant').length;
      throw refuse(spec, id, `the ensemble has ${voters} voter${voters === 1 ? '' : 's'}, and the others are too few to form a quorum without server ${id}`);
    }
    const before = quorumWithout(roles(await probeEnsemble(ctx.paths, spec)), id);
    if (!before.holds) throw refuse(spec, id, before.summary);

    const live = await liveServers(ctx.paths);
    const stopped = live.has(id);
    if (stopped) {
      await stopOne(ctx, id, live.get(id));
      // If it led, the others elect one of them; its data is touched only once they serve.
      const after = await waitFor(ctx.paths, spec, { kind: 'serving' }, waitOpts).catch((err: unknown) => {
        if (err instanceof WaitTimeoutError) return err.status as EnsembleStatus; // a local wait: a local status
        throw err;
      });
      const without = quorumWithout(roles(after), id);
      if (!without.holds) {
        throw new ZkpseudoError(
          `Server ${id} was stopped for repair, but the others did not serve as a quorum within ${Math.round(timeoutMs / 1000)} s (${without.summary}); its data was not touched.`,
          `\`zkpseudo start ${id} --name ${spec.name}\` starts it as it was; look at \`zkpseudo status --name ${spec.name}\`.`,
        );
      }
    }

    const { dir, moved } = await quarantine(ctx, id, new Date());
    const where = `Server ${id}'s old data is in ${dir}.`;
    try {
      await startOne(ctx, spec, member, undefined);
      const status = await waitFor(ctx.paths, spec, { kind: 'serving', ids: [id] }, waitOpts);
      return { id, quarantined: dir, moved, stopped, status };
    } catch (err) {
      if (err instanceof ZkpseudoError) {
        err.message = `${err.message} ${where}`;
        throw err;
      }
      throw new ZkpseudoError(`Server ${id} did not come back after its data was moved aside: ${(err as Error).message}. ${where}`, `Read \`zkpseudo logs ${id} --name ${spec.name}\`.`, ExitCode.failed, { cause: err });
    }
  });
}
