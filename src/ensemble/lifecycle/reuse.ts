/**
 * `up` of an ensemble that already runs healthy with the shape and settings asked for: prove
 * that, and return at the speed of `status` (SPEC §13). One probe — the same one `status`
 * makes — is the proof; nothing is rewritten, unpacked or checked beyond it (no Java probe, no
 * dist, no ports, no lock). Anything it cannot prove (no such ensemble, a server down or
 * paused, another shape or settings, a dead fault proxy) is left to the full `up`, which
 * repairs, refuses or restarts. This module is kept light on imports: the CLI loads the full
 * `up` only when this says no.
 */
import { commandLine } from '../../edge/process/process.js';
import { startTime } from '../../edge/process/proctable.js';
import { normalizeOptions, type Request } from '../../options/options.js';
import type { EnsembleOptions, EnsembleSpec } from '../../options/types.js';
import { proxyPid } from '../faults/proxy-control.js';
import { probeEnsemble } from '../observe/probe.js';
import { ensemblePaths, resolveHome, type EnsemblePaths } from '../store/layout.js';
import { readSpecIfAny } from '../store/spec-file.js';
import type { UpContext, UpResult } from './up-run.js';
import { settingChanges, shapeDifferences } from './shape.js';

/** The spec, or undefined when there is none or it cannot be read (the full `up` says why). */
async function recorded(paths: EnsemblePaths): Promise<EnsembleSpec | undefined> {
  return readSpecIfAny(paths).catch(() => undefined);
}

/**
 * True when the lease already names this owner (the same process) and its watcher runs. The
 * lease and lock modules are loaded only here, when an owner was asked for (reuse must cost
 * what `status` costs, and module loading is most of that).
 */
async function leaseHeldBy(paths: EnsemblePaths, owner: number): Promise<boolean> {
  const { readLease, WATCHER_FLAG } = await import('../lease/lease.js');
  const lease = await readLease(paths);
  if (!lease || lease.ownerPid !== owner || !lease.watcherPid) return false;
  if (lease.ownerStart !== null && (await startTime(owner)) !== lease.ownerStart) return false;
  const cmd = await commandLine(lease.watcherPid);
  return !!cmd?.includes(WATCHER_FLAG) && cmd.includes(lease.token);
}

/**
 * The result of `up` when the ensemble already serves healthy as asked; undefined when the
 * full `up` must run. Options are checked as the full `up` checks them (a usage error is thrown).
 */
export async function reuseHealthy(opts: EnsembleOptions, ctx: UpContext): Promise<UpResult | undefined> {
  const req: Request = normalizeOptions(opts, ctx.env, ctx.defaults);
  const paths = ensemblePaths(resolveHome(ctx.env, opts.home), req.name);
  const spec = await recorded(paths);
  if (!spec || shapeDifferences(req, spec).length || settingChanges(req, spec).length) return undefined;
  const status = await probeEnsemble(paths, spec);
  if (status.health.state !== 'healthy' || status.servers.some((s) => s.pid === null)) return undefined;
  // Clients of a faults ensemble connect through its proxy: it must be there too.
  if (spec.faults && !(await proxyPid(paths))) return undefined;
  if (req.owner !== undefined && !(await leaseHeldBy(paths, req.owner))) {
    // The one thing to do: the servers now share this owner's life.
    const [{ withLock }, { takeLease }] = await Promise.all([import('../../edge/lock/lock.js'), import('../lease/lease.js')]);
    await withLock(paths.lockTarget, `ensemble "${req.name}"`, () => takeLease(paths, req.owner!), ctx.signal ? { signal: ctx.signal } : {});
  }
  ctx.onEvent?.({ kind: 'status', status });
  ctx.onEvent?.({ kind: 'step', step: 'reuse', state: 'done', detail: `already ${status.health.summary}; nothing to change` });
  return { spec, paths, status, started: [], restarted: [], created: false, reused: true };
}
