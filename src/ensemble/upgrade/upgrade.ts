/**
 * `zkpseudo upgrade VERSION` / `zk.upgrade(version)`: moves an ensemble to another release one
 * server at a time (plan.ts says which next), keeping each server's data. For each: stop it,
 * record its new release, replace its copy's files around its data/ and logs/, start it, and
 * wait until it serves again together with every server that served before. A server that
 * does not come back on the new release is put back on its old one, so an upgrade that stops
 * half-way — a failed start, Ctrl-C — leaves a working mixed ensemble, recorded per server in
 * ensemble.yaml (which `up` and `down` keep as it is), and says which server runs what.
 */
import { ExitCode, InterruptedError, UsageError, ZkpseudoError, type ExitCodeValue } from '../../errors.js';
import { SERVER_MARKER } from '../../edge/process/proctable.js';
import { ensembleVersions, memberDist, memberVersion, withMemberVersion } from '../../options/member-versions.js';
import type { DistRecord, EnsembleSpec } from '../../options/types.js';
import type { Progress } from '../../tarball/download.js';
import { unpackCopies } from '../../tarball/pack.js';
import { cacheDir, ensureDist, type ResolvedDist } from '../../tarball/resolve.js';
import { parseZkVersion, type ZkVersion } from '../../zk/versions.js';
import { linkCopies, scheduleArchive, treeDir } from '../cds/launch.js';
import { withEnsembleLock, type OpContext } from '../lifecycle/ops.js';
import { launchOptions, startOne, stopOne } from '../lifecycle/servers.js';
import { checkJava } from '../lifecycle/up-steps.js';
import { liveServers } from '../observe/identity.js';
import { probeEnsemble, type EnsembleStatus } from '../observe/probe.js';
import { waitFor } from '../observe/wait-condition.js';
import { readSpec, writeSpec } from '../store/spec-file.js';
import { nextServer, serversToMove, upgradeRefusal } from './plan.js';

export interface UpgradeOptions {
  /** The release to move to, "X.Y.Z". */
  version: string;
  /** Where its tarball comes from, as `up`'s options: a tarball, directory, URL or "system"; a mirror; offline. */
  dist?: string;
  mirror?: string;
  offline?: boolean;
  /** Allow a downgrade (a release older than a server runs). */
  force?: boolean;
  /** How long to wait for each server to serve again, in ms. */
  timeoutMs: number;
  /** Aborting it stops the upgrade after the server in progress (which is finished, not left half-way). */
  signal?: AbortSignal;
  onEvent?: (e: UpgradeEvent) => void;
}

export type UpgradeEvent =
  | { kind: 'dist'; detail: string }
  | { kind: 'server'; id: number; from: string; to: string; phase: 'stopping' | 'starting' | 'serving' | 'moved' | 'rolled-back'; role?: string; ms?: number; detail?: string }
  | { kind: 'download'; url: string; transferred: number; total?: number }
  | { kind: 'notice'; text: string };

export interface UpgradeResult {
  spec: EnsembleSpec;
  /** Servers moved to the new release by this call, in the order they were moved. */
  moved: number[];
  /** Servers that ran the new release already. */
  already: number[];
  /** Servers moved while stopped, and left stopped (they start on the new release with `up` or `start`). */
  leftStopped: number[];
  /** The status after the last server served again (absent when no server was running). */
  status?: EnsembleStatus;
}

/**
 * The upgrade stopped part-way (a server that would not serve on the new release, which was put
 * back on its old one, or an interruption): the ensemble is mixed, and `versions` says how.
 */
export class UpgradeStoppedError extends ZkpseudoError {
  constructor(message: string, hint: string, exitCode: ExitCodeValue, readonly spec: EnsembleSpec, readonly status?: EnsembleStatus, cause?: unknown) {
    super(message, hint, exitCode, { cause });
    this.name = 'UpgradeStoppedError';
  }

  /** Each server's release when the upgrade stopped. */
  get versions(): Record<number, string> {
    return Object.fromEntries(this.spec.members.map((m) => [m.id, memberVersion(this.spec, m)]));
  }
}

/** Where each server stands, in words: "servers 1, 2 run 3.9.3 and server 3 runs 3.8.0". */
export function whoRunsWhat(spec: EnsembleSpec): string {
  const versions = ensembleVersions(spec);
  if (versions.length === 1) return `every server runs ${versions[0]}`;
  return versions.map((v) => {
    const ids = spec.members.filter((m) => memberVersion(spec, m) === v).map((m) => m.id);
    return `${ids.length > 1 ? `servers ${ids.join(', ')} run` : `server ${ids[0]} runs`} ${v}`;
  }).join(' and ');
}

/** Moves every server of the ensemble to `opts.version`, one at a time (see the module comment). */
export async function upgradeEnsemble(ctx: OpContext, opts: UpgradeOptions): Promise<UpgradeResult> {
  const target = parseZkVersion(opts.version);
  if (!target) throw new UsageError(`"${opts.version}" is not a ZooKeeper version like 3.9.3.`, 'Give the release to move to, like `zkpseudo upgrade 3.9.3`.');
  return withEnsembleLock(ctx, async () => {
    let spec = await readSpec(ctx.paths);
    const refusal = upgradeRefusal(spec, target, !!opts.force);
    if (refusal) throw new UsageError(`Cannot move ensemble "${spec.name}" to ZooKeeper ${target.text}: ${refusal}.`, 'Keep the ensemble on its release, or make a new one with `zkpseudo up --zk-version X --name OTHER`.');
    const todo = serversToMove(spec, target);
    const already = spec.members.map((m) => m.id).filter((id) => !todo.includes(id));
    if (!todo.length) return { spec, moved: [], already, leftStopped: [] };
    const dist = await targetDist(ctx, opts, target);
    await checkJava(ctx.env, [target.text]);
    const moved: number[] = [];
    const leftStopped: number[] = [];
    let status: EnsembleStatus | undefined;
    const remaining = [...todo];
    while (remaining.length) {
      // Between two servers, never during one: a server is never left stopped by an interruption.
      if (opts.signal?.aborted) {
        if (!moved.length) throw new InterruptedError('`upgrade`');
        throw new UpgradeStoppedError(
          `The upgrade to ZooKeeper ${target.text} was interrupted after server ${moved[moved.length - 1]}: ${whoRunsWhat(spec)}.`,
          `The ensemble works as it is (\`zkpseudo status\` shows each server's VERSION); run \`zkpseudo upgrade ${target.text}\` again to go on.`,
          ExitCode.interrupted, spec, status,
        );
      }
      const live = await liveServers(ctx.paths);
      const now = await probeEnsemble(ctx.paths, spec);
      const id = nextServer(remaining, now.servers.map((s) => ({ id: s.id, role: s.role, running: live.has(s.id) })))!;
      remaining.splice(remaining.indexOf(id), 1);
      const step = await moveServer(ctx, opts, spec, id, target, dist.record, now, live.has(id));
      spec = step.spec;
      moved.push(id);
      if (step.status) status = step.status;
      else leftStopped.push(id);
    }
    // The first servers of a new tree build its class-data archive in the background, as `up` does.
    await scheduleArchive(spec, ctx.env, launchOptions(spec, ctx.env).jvmFlags!.filter((f) => f !== SERVER_MARKER)).catch(() => false);
    return { spec, moved, already, leftStopped, ...(status ? { status } : {}) };
  });
}

/** The new release's tarball, from where the user said (or Apache's CDN and archive), verified. */
async function targetDist(ctx: OpContext, opts: UpgradeOptions, target: ZkVersion): Promise<ResolvedDist> {
  const resolved = await ensureDist(
    { zkVersion: target, ...(opts.dist ? { dist: opts.dist } : {}), ...(opts.mirror ? { mirror: opts.mirror } : {}), ...(opts.offline ? { offline: true } : {}) },
    {
      env: ctx.env,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onDownload: (p: Progress & { url: string }) => opts.onEvent?.({ kind: 'download', ...p }),
      onNotice: (text) => opts.onEvent?.({ kind: 'notice', text }),
    },
  );
  const rec = resolved.record;
  opts.onEvent?.({ kind: 'dist', detail: `ZooKeeper ${resolved.version.text} from ${rec.source === 'download' ? rec.origin : `${rec.source} ${rec.origin}`}` });
  return resolved;
}

/** Replaces server `id`'s copy with one of `dist` around its data, recording the release first. */
async function recopy(ctx: OpContext, spec: EnsembleSpec, id: number, version: string, dist: DistRecord): Promise<EnsembleSpec> {
  const next = withMemberVersion(spec, id, version, dist);
  // Recorded before the files change: a copy cut short, or holding another release than
  // recorded, is found damaged by the next `up`, which unpacks it again from this record.
  await writeSpec(ctx.paths, next);
  await unpackCopies(dist.tarball, treeDir(ctx.env, dist), [ctx.paths.server(id).root], {
    keep: ['data', 'logs'], linkLib: await linkCopies(ctx.env), roots: { tree: cacheDir(ctx.env), copies: ctx.paths.home },
    proof: { cache: cacheDir(ctx.env), sha512: dist.sha512 },
  });
  return next;
}

/** Starts server `id` and waits until it serves together with every server that served before. */
async function startAndSettle(ctx: OpContext, spec: EnsembleSpec, id: number, serving: number[], timeoutMs: number): Promise<EnsembleStatus> {
  await startOne(ctx, spec, spec.members.find((m) => m.id === id)!, undefined);
  return waitFor(ctx.paths, spec, { kind: 'serving', ids: [...new Set([...serving, id])] }, { timeoutMs });
}

const SERVING = new Set(['leader', 'follower', 'observer', 'standalone']);

async function moveServer(ctx: OpContext, opts: UpgradeOptions, spec: EnsembleSpec, id: number, target: ZkVersion, dist: DistRecord, now: EnsembleStatus, running: boolean): Promise<{ spec: EnsembleSpec; status?: EnsembleStatus }> {
  const member = spec.members.find((m) => m.id === id)!;
  const from = memberVersion(spec, member);
  const fromDist = memberDist(spec, member);
  const say = (phase: Extract<UpgradeEvent, { kind: 'server' }>['phase'], extra: { role?: string; ms?: number; detail?: string } = {}) =>
    opts.onEvent?.({ kind: 'server', id, from, to: target.text, phase, ...extra });
  const role = now.servers.find((s) => s.id === id)?.role ?? 'down';
  const serving = now.servers.filter((s) => s.id !== id && SERVING.has(s.role)).map((s) => s.id);
  if (running) {
    say('stopping', { role });
    await stopOne(ctx, id, (await liveServers(ctx.paths)).get(id));
  }
  let next = await recopy(ctx, spec, id, target.text, dist);
  if (!running) {
    say('moved', { detail: 'stopped; it starts on the new release with `up` or `start`' });
    return { spec: next };
  }
  say('starting');
  const t0 = Date.now();
  try {
    const status = await startAndSettle(ctx, next, id, serving, opts.timeoutMs);
    say('serving', { role: status.servers.find((s) => s.id === id)?.role ?? 'serving', ms: Date.now() - t0 });
    return { spec: next, status };
  } catch (err) {
    // Back to the release it ran, so the ensemble keeps working; then say what happened.
    const why = err instanceof ZkpseudoError ? err.message : String(err);
    await stopOne(ctx, id, (await liveServers(ctx.paths)).get(id)).catch(() => undefined);
    next = await recopy(ctx, next, id, from, fromDist);
    const back = await startAndSettle(ctx, next, id, serving, opts.timeoutMs).then((s) => s, () => undefined);
    say('rolled-back', { detail: back ? `serving again on ${from}` : `started again on ${from}, not serving yet` });
    throw new UpgradeStoppedError(
      `Server ${id} did not serve on ZooKeeper ${target.text} (${why.replace(/\.$/, '')}); it was put back on ${from}${back ? ' and serves again' : ''}. Now ${whoRunsWhat(next)}.`,
      `Read why in its log: \`zkpseudo logs ${id}${ctx.paths.name === 'default' ? '' : ` --name ${ctx.paths.name}`}\`; \`zkpseudo status\` shows each server's VERSION.`,
      ExitCode.failed, next, back, err,
    );
  }
}
