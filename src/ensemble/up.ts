/**
 * `up` as a list of named steps — resolve, java, dist, ports, unpack, configure, start, wait —
 * each reporting its own progress; the servers this `up` started are stopped if it is interrupted.
 */
import { rm } from 'node:fs/promises';
import { pathExists } from '../edge/files.js';
import { readServerPid } from '../edge/process.js';
import { InterruptedError, UsageError, ZkpseudoError } from '../errors.js';
import { findJava } from '../edge/java.js';
import { withLock } from '../edge/lock.js';
import path from 'node:path';
import { cacheDir, ensureDist, type ResolvedDist } from '../dist/resolve.js';
import type { Progress } from '../dist/download.js';
import { unpackCopies } from '../dist/pack.js';
import { preloadLauncher, type Launch } from '../edge/server.js';
import { normalizeOptions, type Request } from '../spec/options.js';
import type { EnsembleOptions, EnsembleSpec, Member } from '../spec/types.js';
import { minimumJava, parseZkVersion } from '../zk/versions.js';
import { ensemblePaths, homeDir } from './layout.js';
import { anyBusy, assertPortsFree, choosePorts } from './ports.js';
import type { EnsembleStatus } from './probe.js';
import { startOne, stopOne, type ServerContext } from './servers.js';
import { ensureHome, readSpecIfAny, writeSpec } from './store.js';
import { writeServerFiles } from './files.js';
import { HealthTimeoutError, waitHealthy } from './wait.js';

export type StepName = 'java' | 'dist' | 'ports' | 'unpack' | 'configure' | 'start' | 'wait';

/** What `up` reports while it works; the CLI draws it, the library passes it to `onEvent`. */
export type UpEvent =
  | { kind: 'step'; step: StepName; state: 'running' | 'done' | 'skipped'; detail?: string }
  | { kind: 'download'; url: string; transferred: number; total?: number }
  | { kind: 'notice'; text: string }
  | { kind: 'status'; status: EnsembleStatus };

export interface UpContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (e: UpEvent) => void;
}

export interface UpResult {
  spec: EnsembleSpec;
  home: string;
  /** The final status (healthy unless `wait: false`). */
  status?: EnsembleStatus;
  /** Ids of the servers this call started. */
  started: number[];
  /** True when the ensemble was created by this call. */
  created: boolean;
}


function membersFor(req: Request, ports: Awaited<ReturnType<typeof choosePorts>>): Member[] {
  return ports.map((p, i) => ({ id: i + 1, peerType: i < req.servers ? 'participant' : 'observer', ports: p }));
}

/** A different shape for an existing ensemble is refused, naming what differs and how to proceed. */
function assertSameShape(req: Request, spec: EnsembleSpec): void {
  const voters = spec.members.filter((m) => m.peerType === 'participant').length;
  const observers = spec.members.length - voters;
  const diffs: string[] = [];
  if (req.explicit.has('servers') && req.servers !== voters) diffs.push(`${voters} servers, not ${req.servers}`);
  if (req.explicit.has('observers') && req.observers !== observers) diffs.push(`${observers} observers, not ${req.observers}`);
  if (req.explicit.has('zkVersion') && req.zkVersion?.text !== spec.zkVersion) diffs.push(`ZooKeeper ${spec.zkVersion}, not ${req.zkVersion?.text}`);
  if (req.explicit.has('ports') && req.ports !== spec.portScheme) diffs.push(`ports "${spec.portScheme}", not "${req.ports}"`);
  const hasAdmin = spec.members.some((m) => m.ports.admin !== undefined);
  if (req.explicit.has('adminPort') && !hasAdmin) diffs.push('the AdminServer off');
  if (diffs.length) {
    throw new UsageError(
      `Ensemble "${spec.name}" already exists with ${diffs.join(', ')}.`,
      `Run \`zkpseudo up --name ${spec.name}\` without those options to resume it, \`zkpseudo down --purge --name ${spec.name}\` to replace it, or use another --name.`,
    );
  }
}

async function checkJava(env: NodeJS.ProcessEnv, zkVersion: string): Promise<string> {
  const java = await findJava(env);
  const v = parseZkVersion(zkVersion)!;
  if (!java) {
    throw new ZkpseudoError('No Java runtime was found (looked at $JAVA_HOME/bin/java, then PATH).', `Install Java ${minimumJava(v)} or later (\`apt-get install default-jre-headless\`) or set JAVA_HOME.`);
  }
  if (java.feature < minimumJava(v)) {
    throw new ZkpseudoError(`ZooKeeper ${zkVersion} needs Java ${minimumJava(v)} or later, but ${java.executable} is Java ${java.version}.`, 'Point JAVA_HOME at a newer Java.');
  }
  return `Java ${java.version} (${java.executable})`;
}

/** Creates the ensemble if needed, starts every server that is not running and waits until healthy. */
export async function upEnsemble(opts: EnsembleOptions, ctx: UpContext): Promise<UpResult> {
  const req = normalizeOptions(opts, ctx.env);
  const home = homeDir(ctx.env, opts.home);
  const paths = ensemblePaths(home, req.name);
  await ensureHome(home);
  return withLock(paths.lockTarget, `ensemble "${req.name}"`, () => upLocked(req, home, ctx), req.timeoutMs + 60_000);
}

async function upLocked(req: Request, home: string, ctx: UpContext): Promise<UpResult> {
  const emit = (e: UpEvent) => ctx.onEvent?.(e);
  const step = (s: StepName, state: 'running' | 'done' | 'skipped', detail?: string) => emit({ kind: 'step', step: s, state, ...(detail ? { detail } : {}) });
  const checkAbort = () => { if (ctx.signal?.aborted) throw new InterruptedError('`up`'); };
  const paths = ensemblePaths(home, req.name);
  preloadLauncher();
  const existing = await readSpecIfAny(home, req.name);
  if (existing) assertSameShape(req, existing);

  // Java is checked against the version asked for (or recorded); after a fallback, again.
  step('java', 'running');
  const javaFor = existing?.zkVersion ?? req.zkVersion?.text;
  // Without a known version, Java is checked once the dist says which version it is.
  let javaDetail = javaFor ? await checkJava(ctx.env, javaFor) : undefined;
  if (javaDetail) step('java', 'done', javaDetail);
  checkAbort();

  const total = req.servers + req.observers;
  const missing: number[] = [];
  for (let id = 1; id <= (existing?.members.length ?? total); id++) if (!(await pathExists(paths.server(id).root))) missing.push(id);

  let dist: ResolvedDist | undefined;
  if (!existing || (missing.length && !(await pathExists(existing.dist.tarball)))) {
    step('dist', 'running');
    dist = await ensureDist(
      existing
        ? { zkVersion: parseZkVersion(existing.zkVersion)!, ...(existing.dist.source === 'system' ? { dist: 'system' } : existing.dist.source === 'download' ? {} : { dist: existing.dist.origin }), ...(req.mirror ? { mirror: req.mirror } : {}) }
        : { ...(req.zkVersion ? { zkVersion: req.zkVersion } : {}), ...(req.dist ? { dist: req.dist } : {}), ...(req.mirror ? { mirror: req.mirror } : {}) },
      {
        env: ctx.env,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onDownload: (p: Progress & { url: string }) => emit({ kind: 'download', ...p }),
        onNotice: (text) => emit({ kind: 'notice', text }),
      },
    );
    step('dist', 'done', `ZooKeeper ${dist.version.text} from ${dist.record.source === 'download' ? dist.record.origin : `${dist.record.source} ${dist.record.origin}`}`);
    if (!javaDetail) {
      javaDetail = await checkJava(ctx.env, dist.version.text);
      step('java', 'done', javaDetail);
    }
  } else step('dist', 'skipped', `ZooKeeper ${existing.zkVersion}, already unpacked`);
  checkAbort();

  // A brand-new ensemble whose preparation fails is removed again, so no half-made ensemble
  // is left for the next command to trip over; an existing one is never removed here.
  const dirExisted = await pathExists(paths.dir);
  let spec!: EnsembleSpec;
  let ctxServers!: ServerContext;
  let toStart!: number[];
  try {
    step('ports', 'running');
    if (existing) {
      // Which servers run depends on pid files, not ports: read them once, before any re-pick.
      toStart = await notRunning(home, existing);
      spec = { ...existing, heapMb: req.explicit.has('heap') ? req.heapMb : existing.heapMb, config: req.explicit.has('config') ? req.config : existing.config, ...(dist ? { dist: dist.record } : {}) };
      // An auto block taken meanwhile is re-picked, but only while none of the servers runs.
      if (spec.portScheme === 'auto' && (await anyBusy(spec.members.map((m) => m.ports))) && toStart.length === spec.members.length) {
        const hadAdmin = spec.members.some((m) => m.ports.admin !== undefined);
        const ports = await choosePorts('auto', spec.members.length, hadAdmin ? 'auto' : undefined);
        spec = { ...spec, members: spec.members.map((m, i) => ({ ...m, ports: ports[i]! })) };
        emit({ kind: 'notice', text: 'A recorded port was taken meanwhile; picked a new free block.' });
      }
    } else {
      const ports = await choosePorts(req.ports, total, req.adminPort);
      if (req.servers > 1 && req.servers % 2 === 0) {
        emit({ kind: 'notice', text: `${req.servers} voting servers tolerate no more failures than ${req.servers - 1}; an odd count is the usual choice.` });
      }
      spec = {
        name: req.name,
        zkVersion: dist!.version.text,
        dist: dist!.record,
        heapMb: req.heapMb,
        portScheme: req.ports,
        members: membersFor(req, ports),
        config: req.config,
        createdAt: new Date().toISOString(),
      };
    }
    ctxServers = { home, env: ctx.env, onNotice: (text) => emit({ kind: 'notice', text }) };
    if (!existing) toStart = await notRunning(home, spec);
    await assertPortsFree(spec.members.filter((m) => toStart.includes(m.id)).map((m) => m.ports), spec.name);
    step('ports', 'done', `client ports ${spec.members.map((m) => m.ports.client).join(', ')}`);
    await writeSpec(home, spec);
    checkAbort();

    step('unpack', missing.length ? 'running' : 'skipped', missing.length ? undefined : 'every server already unpacked');
    if (missing.length) {
      const tree = path.join(cacheDir(ctx.env), 'trees', spec.dist.sha512.slice(0, 32));
      await unpackCopies(spec.dist.tarball, tree, missing.map((id) => paths.server(id).root));
      step('unpack', 'done', `${missing.length} cop${missing.length > 1 ? 'ies' : 'y'} of ${spec.dist.tarball}`);
    }
    checkAbort();

    step('configure', 'running');
    for (const repair of await writeServerFiles(home, spec)) emit({ kind: 'notice', text: repair });
    step('configure', 'done', 'zoo.cfg and myid for every server');
    checkAbort();
  } catch (err) {
    if (!existing && !dirExisted) await rm(paths.dir, { recursive: true, force: true });
    throw err;
  }

  const started: number[] = [];
  let starting: Promise<unknown> = Promise.resolve();
  const launches: Launch[] = [];
  const stopStarted = async () => {
    await Promise.all(spec.members.filter((m) => started.includes(m.id)).map((m) => stopOne(ctxServers, spec, m).catch(() => undefined)));
  };
  try {
    step('start', toStart.length ? 'running' : 'skipped', toStart.length ? `servers ${toStart.join(', ')}` : 'every server already running');
    starting = Promise.all(
      spec.members.filter((m) => toStart.includes(m.id)).map(async (m) => {
        if (await startOne(ctxServers, spec, m, (l) => launches.push(l)) === 'started') started.push(m.id);
      }),
    );
    if (!req.wait) {
      await starting;
      if (toStart.length) step('start', 'done', `started ${started.join(', ') || 'none'}`);
      checkAbort();
      return { spec, home, started, created: !existing };
    }
    // zkServer.sh start sleeps a second before it returns: poll for health meanwhile.
    step('wait', 'running');
    const healthy = waitHealthy(home, spec, {
      timeoutMs: req.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onStatus: (status) => emit({ kind: 'status', status }),
    });
    healthy.catch(() => undefined);
    // A start script that fails ends `up` at once; a healthy quorum proves every script
    // worked, so `up` need not sit out their fixed one-second sleep.
    const first = await Promise.race([starting.then(() => 'started' as const), healthy.then(() => 'healthy' as const)]);
    if (first === 'healthy') {
      for (const l of launches) l.detach();
      started.push(...toStart.filter((id) => !started.includes(id)));
    }
    if (toStart.length) step('start', 'done', `started ${started.join(', ') || 'none'}`);
    const status = await healthy;
    step('wait', 'done', status.health.summary);
    return { spec, home, status, started, created: !existing };
  } catch (err) {
    // A timeout leaves the servers up for inspection; anything else undoes this call's starts.
    if (err instanceof HealthTimeoutError && !ctx.signal?.aborted) throw err;
    await starting.catch(() => undefined);
    await stopStarted();
    if (ctx.signal?.aborted && !(err instanceof InterruptedError)) throw new InterruptedError('`up`');
    throw err;
  }
}

async function notRunning(home: string, spec: EnsembleSpec): Promise<number[]> {
  const paths = ensemblePaths(home, spec.name);
  const states = await Promise.all(spec.members.map((m) => readServerPid(paths.server(m.id).pidFile, paths.server(m.id).config)));
  return spec.members.filter((_, i) => states[i]!.state !== 'running').map((m) => m.id);
}
