/** The steps of `up`, in order (see up.ts for how they run and undo). */
import { removeOwned } from '../../edge/fs/owned-fs.js';
import { InterruptedError, UsageError, ZkpseudoError } from '../../errors.js';
import { findJava, JavaUnusable } from '../../edge/process/java.js';
import { pathExists } from '../../edge/fs/files.js';
import type { Request } from '../../options/options.js';
import type { DistRecord, EnsembleSpec, Member } from '../../options/types.js';
import { describeVersions, ensembleVersions, memberDist, memberVersion } from '../../options/member-versions.js';
import { versionIssues } from '../../options/options.js';
import type { Progress } from '../../tarball/download.js';
import { unpackCopies } from '../../tarball/pack.js';
import { tarballProblem } from '../../tarball/digests.js';
import { DamagedTarballError } from '../../tarball/proof.js';
import { cacheDir, ensureDist, type DistRequest, type ResolvedDist } from '../../tarball/resolve.js';
import { parseZkVersion } from '../../zk/versions.js';
import { versionFacts } from '../../zk/version-facts.js';
import { writeServerFiles } from '../store/server-files.js';
import { ensureSecurityMaterial } from '../security/material.js';
import { securitySupport } from '../../zk/config/security-cfg.js';
import { jvmFlagSafe } from '../cds/archive.js';
import { liveServers } from '../observe/identity.js';
import { takeLease } from '../lease/lease.js';
import { anyBusy, choosePorts, reserveServerPorts } from './ports.js';
import { findFreeBlock } from '../../edge/ports.js';
import { faultPortCount, faultPorts } from '../faults/links.js';
import { ensureProxy, proxyPid, stopProxy } from '../faults/proxy-control.js';
import { launchOptions, startOne, stopOne } from './servers.js';
import { linkCopies, scheduleArchive, treeDir } from '../cds/launch.js';
import { SERVER_MARKER } from '../../edge/process/proctable.js';
import { writeSpec } from '../store/spec-file.js';
import { assertSameShape, resumedSettings, settingChanges, withSettingsOf } from './shape.js';
import type { UpRun, UpStep } from './up-run.js';
import { HealthTimeoutError, PausedServersError, waitHealthy } from '../observe/wait-healthy.js';

/** Java, checked against every release the servers run (a mixed ensemble has two). */
export async function checkJava(env: NodeJS.ProcessEnv, versions: string[]): Promise<string> {
  const java = await findJava(env).catch((err) => {
    if (err instanceof JavaUnusable) throw new ZkpseudoError(`Java was found at ${err.executable}, but it does not run: ${err.message}.`, 'Fix that Java install, or point JAVA_HOME at another one.');
    throw err;
  });
  // The most demanding release decides.
  const [zkVersion, minimumJava] = versions.map((v) => [v, versionFacts(parseZkVersion(v)!).minimumJava] as const).sort((a, b) => b[1] - a[1])[0]!;
  if (!java) {
    throw new ZkpseudoError('No Java runtime was found (looked at $JAVA_HOME/bin/java, then PATH).', `Install Java ${minimumJava} or later (\`apt-get install default-jre-headless\`) or set JAVA_HOME.`);
  }
  if (java.feature < minimumJava) {
    throw new ZkpseudoError(`ZooKeeper ${zkVersion} needs Java ${minimumJava} or later, but ${java.executable} is Java ${java.version}.`, 'Point JAVA_HOME at a newer Java.');
  }
  return `Java ${java.version} (${java.executable})`;
}

/** Java is checked against the version asked for (or recorded); without one, once the dist says which. */
const java: UpStep = {
  name: 'java',
  async run(r) {
    const versions = r.existing ? ensembleVersions(r.existing) : r.req.zkVersion ? [r.req.zkVersion.text] : [];
    if (!versions.length) return;
    r.step('java', 'running');
    r.javaDetail = await checkJava(r.env, versions);
    r.step('java', 'done', r.javaDetail);
  },
};

/** A new ensemble's request, or the way to fetch again the tarball a recorded copy came from. */
function distRequest(r: UpRun, recorded?: { version: string; dist: DistRecord }): DistRequest {
  const { req } = r;
  const mirror = { ...(req.mirror ? { mirror: req.mirror } : {}), ...(req.offline ? { offline: true } : {}) };
  if (!recorded) return { ...(req.zkVersion ? { zkVersion: req.zkVersion } : {}), ...(req.dist ? { dist: req.dist } : {}), ...mirror };
  const { dist: d } = recorded;
  const source = d.source === 'system' ? { dist: 'system' } : d.source === 'download' ? {} : { dist: d.origin };
  return { zkVersion: parseZkVersion(recorded.version)!, ...source, ...mirror };
}

const distDetail = (d: ResolvedDist) => `ZooKeeper ${d.version.text} from ${d.record.source === 'download' ? d.record.origin : `${d.record.source} ${d.record.origin}`}`;

/**
 * Whether a copy of `recorded` must be fetched again: only when the copy is to be unpacked
 * again, the unpacked tree is gone, and the tarball is missing or no longer the one recorded in
 * ensemble.yaml (proven by size and SHA-512). A tarball outside the cache (the user's own)
 * cannot be fetched again: that is an error naming it.
 */
async function tarballNeeded(r: UpRun, recorded: DistRecord): Promise<boolean> {
  if (await pathExists(treeDir(r.env, recorded))) return false;
  const problem = await tarballProblem(cacheDir(r.env), recorded.tarball, recorded.sha512, (text) => r.emit({ kind: 'notice', text }));
  if (!problem) return false;
  if (recorded.source === 'tarball' && problem !== 'it is missing') throw new DamagedTarballError(recorded.tarball, problem, false);
  return true;
}

/**
 * A new ensemble needs ZooKeeper; an existing one only when a copy must be unpacked again from
 * a tarball that is gone or damaged (fetched again for the release that copy runs).
 */
const dist: UpStep = {
  name: 'dist',
  async run(r) {
    const ctx = {
      env: r.env,
      ...(r.signal ? { signal: r.signal } : {}),
      onDownload: (p: Progress & { url: string }) => r.emit({ kind: 'download', ...p }),
      onNotice: (text: string) => r.emit({ kind: 'notice', text }),
    };
    if (r.existing) {
      const spec = r.existing;
      const gone = [];
      for (const id of r.damaged.keys()) {
        const m = spec.members.find((x) => x.id === id)!;
        if (await tarballNeeded(r, memberDist(spec, m))) gone.push(m);
      }
      if (!gone.length) {
        r.step('dist', 'skipped', `ZooKeeper ${describeVersions(spec)}, already unpacked`);
        return;
      }
      r.step('dist', 'running');
      for (const m of gone) {
        const recorded = memberDist(spec, m);
        if (r.refetched.has(recorded.sha512)) continue;
        r.refetched.set(recorded.sha512, await ensureDist(distRequest(r, { version: memberVersion(spec, m), dist: recorded }), ctx));
      }
      r.step('dist', 'done', [...r.refetched.values()].map(distDetail).join('; '));
      return;
    }
    r.step('dist', 'running');
    r.dist = await ensureDist(distRequest(r), ctx);
    r.step('dist', 'done', distDetail(r.dist));
    if (!r.javaDetail) {
      r.javaDetail = await checkJava(r.env, [r.dist.version.text]);
      r.step('java', 'done', r.javaDetail);
    }
  },
};

function membersFor(req: Request, ports: Awaited<ReturnType<typeof choosePorts>>): Member[] {
  return ports.map((p, i) => ({ id: i + 1, peerType: i < req.servers ? 'participant' : 'observer', ports: p }));
}

/** Options given now that a release the servers run would silently ignore (3.4 has no AdminServer, no whitelist). */
function assertVersionsTakeOptions(req: Request, versions: string[]): void {
  const given = { ...(req.explicit.has('adminPort') && req.adminPort !== undefined ? { adminPort: req.adminPort } : {}), config: req.explicit.has('config') ? req.config : {} };
  const issues = versions.flatMap((v) => versionIssues(given, parseZkVersion(v)!));
  if (!issues.length) return;
  throw new UsageError(
    `ZooKeeper ${versions.join(' and ')} would silently ignore ${issues.length > 1 ? 'these options' : 'this option'}: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}.`,
    'Drop --admin-port and the --config keys named above for this release, or use ZooKeeper 3.5 or later.',
  );
}

async function resumedSpec(r: UpRun, existing: EnsembleSpec): Promise<EnsembleSpec> {
  const { req } = r;
  const { tickMs: _recorded, ...rest } = existing;
  let spec: EnsembleSpec = { ...rest, ...resumedSettings(req, existing) };
  // Copies whose tarball had to be fetched again are unpacked from (and recorded with) the new one.
  const fresh = (d: DistRecord) => r.refetched.get(d.sha512)?.record ?? d;
  spec = { ...spec, dist: fresh(spec.dist), members: spec.members.map((m) => (m.dist ? { ...m, dist: fresh(m.dist) } : m)) };
  // An auto block taken meanwhile is re-picked, but only while none of the servers runs.
  if (spec.portScheme === 'auto' && !r.live.size && (await anyBusy(spec.members.map((m) => m.ports)))) {
    const hadAdmin = spec.members.some((m) => m.ports.admin !== undefined);
    const ports = await choosePorts('auto', spec.members.length, hadAdmin ? 'auto' : undefined, spec.members.some((m) => m.ports.secureClient !== undefined));
    spec = { ...spec, members: spec.members.map((m, i) => ({ ...m, ports: ports[i]! })) };
    r.emit({ kind: 'notice', text: 'A recorded port was taken meanwhile; picked a new free block.' });
  }
  return spec;
}

/** Refuses security a release lacks (or a home no JVM flag can name) before anything is made; says what it cannot enforce. */
function checkSecurity(r: UpRun): void {
  const sec = r.req.security;
  if (!sec) return;
  const version = r.dist!.version;
  const support = securitySupport(sec, versionFacts(version), version.text);
  if (support.refusal) throw new UsageError(`${support.refusal}; --tls cannot be used with it.`, 'Use a newer --zk-version, or leave out --tls.');
  for (const text of support.notices) r.emit({ kind: 'notice', text });
  // zkServer.sh splits SERVER_JVMFLAGS at blanks (and expands globs), and the JAAS file's path travels there.
  if (sec.sasl && !jvmFlagSafe(r.paths.dir)) {
    throw new UsageError(`--sasl needs the ensemble's path to hold no blanks or non-ASCII characters, since the JAAS file is named on the server's java command line: ${r.paths.dir}.`, 'Use another --home (or ZKPSEUDO_HOME) for SASL ensembles.');
  }
}

async function newSpec(r: UpRun): Promise<EnsembleSpec> {
  const { req } = r;
  checkSecurity(r);
  const dualTls = !!req.security?.tls && !req.security.tls.only;
  const ports = await choosePorts(req.ports, req.servers + req.observers, req.adminPort, dualTls);
  if (req.servers > 1 && req.servers % 2 === 0) {
    r.emit({ kind: 'notice', text: `${req.servers} voting servers tolerate no more failures than ${req.servers - 1}; an odd count is the usual choice.` });
  }
  const members = membersFor(req, ports);
  // Fault proxies need 2·n·(n−1)+n ports of their own: a free block, wherever the servers' are.
  const faults = req.faults ? faultPorts(await findFreeBlock(faultPortCount(members.length, dualTls)), members.length, dualTls) : undefined;
  return {
    name: req.name, zkVersion: r.dist!.version.text, dist: r.dist!.record, heapMb: req.heapMb, portScheme: req.ports,
    members, config: req.config, ...(req.tickMs ? { tickMs: req.tickMs } : {}), ...(faults ? { faults } : {}),
    ...(req.security ? { security: req.security } : {}), createdAt: new Date().toISOString(),
  };
}

/**
 * Decides the spec and reserves the ports of every server to start, machine-wide, until they
 * hold them (released when `up` ends). A brand-new ensemble that fails from here on, before
 * any server started, is removed again, so no half-made ensemble is left behind.
 */
const ports: UpStep = {
  name: 'ports',
  async run(r) {
    r.step('ports', 'running');
    if (r.existing) assertSameShape(r.req, r.existing);
    assertVersionsTakeOptions(r.req, r.existing ? ensembleVersions(r.existing) : [r.dist!.version.text]);
    const spec = r.existing ? await resumedSpec(r, r.existing) : await newSpec(r);
    r.spec = spec;
    r.toStart = spec.members.filter((m) => !r.live.has(m.id)).map((m) => m.id);
    if (r.existing && r.live.size) r.changes = settingChanges(r.req, r.existing);
    const proxyPorts = spec.faults && !(await proxyPid(r.paths)) ? [...Object.values(spec.faults.links).flatMap((l) => [l.quorum, l.election]), ...Object.values(spec.faults.clients), ...Object.values(spec.faults.secureClients ?? {})] : [];
    r.releasePorts = await reserveServerPorts(r.env, spec.name, spec.members.filter((m) => r.toStart.includes(m.id)).map((m) => m.ports), proxyPorts, (text) => r.emit({ kind: 'notice', text }));
    r.step('ports', 'done', `client ports ${spec.members.map((m) => m.ports.client).join(', ')}`);
    // Until the running servers have been restarted with them, the recorded settings stay
    // those they run with: an `up` cut short is asked to apply the change again.
    await writeSpec(r.paths, r.changes.length && r.existing ? withSettingsOf(spec, r.existing) : spec);
  },
  async undo(r, err) {
    // A brand-new ensemble whose servers failed holds nothing of the user's: remove it, unless
    // its servers were left running for inspection (a plain timeout) or still run. An
    // interrupted `up` keeps it: the next `up` resumes where this one stopped.
    if (r.existing || r.dirExisted || err instanceof InterruptedError || (err as { keepServers?: boolean }).keepServers) return;
    if ((await liveServers(r.paths)).size) return;
    await removeOwned(r.paths.home, r.paths.dir, { recursive: true });
  },
};

/** Unpacks a copy for every new server, and again for any damaged copy, keeping its data. */
const unpack: UpStep = {
  name: 'unpack',
  async run(r) {
    const spec = r.spec!;
    const ids = r.existing ? [...r.damaged.keys()] : spec.members.map((m) => m.id);
    if (!ids.length) {
      r.step('unpack', 'skipped', 'every server already unpacked');
      return;
    }
    r.step('unpack', 'running');
    for (const [id, damage] of r.damaged) r.emit({ kind: 'notice', text: `server ${id}: its copy of ZooKeeper was damaged (${damage}); unpacked it again, data kept` });
    // Each copy from the tarball of the release it runs (a mixed ensemble has two).
    const byDist = new Map<string, { dist: DistRecord; ids: number[] }>();
    for (const id of ids) {
      const d = memberDist(spec, spec.members.find((m) => m.id === id)!);
      byDist.set(d.sha512, { dist: d, ids: [...(byDist.get(d.sha512)?.ids ?? []), id] });
    }
    const link = await linkCopies(r.env);
    for (const { dist: d, ids: group } of byDist.values()) {
      // The tarball is proven against the digest it was recorded with before it is unpacked.
      await unpackCopies(d.tarball, treeDir(r.env, d), group.map((id) => r.paths.server(id).root), {
        keep: ['data', 'logs'], linkLib: link, roots: { tree: cacheDir(r.env), copies: r.paths.home },
        proof: { cache: cacheDir(r.env), sha512: d.sha512 },
      });
    }
    r.step('unpack', 'done', [...byDist.values()].map(({ dist: d, ids: group }) => `${group.length} cop${group.length > 1 ? 'ies' : 'y'} of ${d.tarball}`).join('; '));
  },
};

/**
 * Writes zoo.cfg and myid for the servers about to start. A running server's files are left
 * as they are: it read them when it started, and only a restart would apply new ones (the
 * rolling restart below writes each one's files as it restarts it).
 */
const configure: UpStep = {
  name: 'configure',
  async run(r) {
    if (!r.toStart.length) {
      r.step('configure', 'skipped', 'every server already running');
      return;
    }
    r.step('configure', 'running');
    // Keys, certificates and users are made once, when the ensemble is created (or if they went missing).
    const made = await ensureSecurityMaterial(r.paths, r.spec!);
    if (made && r.existing) r.emit({ kind: 'notice', text: `ensemble "${r.spec!.name}": its security/ files were missing; made new keys and users` });
    for (const repair of await writeServerFiles(r.paths, r.spec!, r.toStart)) r.emit({ kind: 'notice', text: repair });
    const all = r.toStart.length === r.spec!.members.length;
    r.step('configure', 'done', `zoo.cfg and myid for ${all ? 'every server' : `server${r.toStart.length > 1 ? 's' : ''} ${r.toStart.join(', ')}`}${r.spec!.security ? ', keys and users in security/' : ''}`);
  },
};

/**
 * Launches every server that is not running, all at once, each script in its own session (see
 * edge/process/server). With `wait`, health is polled meanwhile: a healthy quorum proves every launch
 * worked, and a failed launch cancels the wait at once. The owner lease, if asked for, is
 * taken first, so an owner killed mid-start still takes its servers with it.
 */
const start: UpStep = {
  name: 'start',
  async run(r) {
    const spec = r.spec!;
    if (r.req.owner !== undefined) await takeLease(r.paths, r.req.owner);
    // The servers dial their peers through the proxy: it must listen before they start.
    if (spec.faults) await ensureProxy(r.paths, (text) => r.emit({ kind: 'notice', text }));
    if (!r.toStart.length) {
      r.step('start', 'skipped', 'every server already running');
      if (r.req.wait) await waitStep(r, Promise.resolve());
      return;
    }
    r.step('start', 'running', `servers ${r.toStart.join(', ')}`);
    const ctx = { paths: r.paths, env: r.env, onNotice: (text: string) => r.emit({ kind: 'notice', text }) };
    const cancelWait = new AbortController();
    let failure: unknown;
    const launching = Promise.all(spec.members.filter((m) => r.toStart.includes(m.id)).map(async (m) => {
      try {
        // A healthy quorum may have listed it already (waitStep), before its launch settled.
        if ((await startOne(ctx, spec, m, undefined, (l) => r.launches.push(l))) === 'started' && !r.started.includes(m.id)) r.started.push(m.id);
      } catch (err) {
        failure ??= err;
        cancelWait.abort();
      }
    }));
    r.launching = launching;
    if (!r.req.wait) {
      await launching;
      if (failure) throw failure;
      if (r.signal?.aborted) throw new InterruptedError('`up`');
      r.step('start', 'done', `started ${r.started.join(', ')}`);
      return;
    }
    await waitStep(r, launching, cancelWait.signal, () => failure);
  },
  /** Stops every server this `up` launched: found in the process table once every launch settled. */
  async undo(r, err) {
    if ((err as { keepServers?: boolean }).keepServers) return;
    await r.launching;
    const live = await liveServers(r.paths);
    const ctx = { paths: r.paths, env: r.env };
    await Promise.all(r.toStart.map((id) => stopOne(ctx, id, live.get(id)).catch(() => undefined)));
    if (r.spec?.faults && r.toStart.length === r.spec.members.length) await stopProxy(r.paths);
  },
};

async function waitStep(r: UpRun, launching: Promise<unknown>, cancel?: AbortSignal, failure: () => unknown = () => undefined): Promise<void> {
  r.step('wait', 'running');
  const signals = [r.signal, cancel].filter((s): s is AbortSignal => !!s);
  const healthy = waitHealthy(r.paths, r.spec!, {
    timeoutMs: r.req.timeoutMs,
    ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
    onStatus: (status) => r.emit({ kind: 'status', status }),
    // A server whose launch finished and which is then gone has exited: fail at once.
    mustRun: r.started,
    // Paused while `up` waits (by another command): say so rather than wait out the timeout.
    failOnPaused: true,
    // A JVM needs ~0.4 s to answer at all (measured here); polling sooner only slows it down.
    ...(r.toStart.length ? { firstPollMs: 300 } : {}),
  });
  try {
    r.status = await healthy;
  } catch (err) {
    if (failure()) throw failure();
    if (r.signal?.aborted) throw new InterruptedError('`up`');
    if (err instanceof HealthTimeoutError && err.exited.length) throw err;
    // A timeout leaves the servers running for inspection: say so, and do not undo.
    if (err instanceof HealthTimeoutError || err instanceof PausedServersError) throw Object.assign(err, { keepServers: true });
    throw err;
  }
  // zkServer.sh sleeps a fixed second after forking the JVM: a healthy quorum proves every
  // launch worked, so `up` need not wait that out.
  for (const l of r.launches) l.detach();
  // The first healthy ensemble of a tree builds its CDS archive in the background, for every later start.
  await scheduleArchive(r.spec!, r.env, launchOptions(r.spec!, r.env).jvmFlags!.filter((f) => f !== SERVER_MARKER)).catch(() => false);
  for (const id of r.toStart) if (!r.started.includes(id)) r.started.push(id);
  void launching;
  if (r.toStart.length) r.step('start', 'done', `started ${r.started.join(', ')}`);
  r.step('wait', 'done', r.status.health.summary);
}

/**
 * Settings changed for servers that already run (extra zoo.cfg keys, heap, tick): a server
 * only reads them when it starts, so each running one is restarted in turn — followers first,
 * the leader last — and the ensemble is healthy again before the next one goes, so a quorum
 * serves throughout (an ensemble of one or two voters cannot keep one; that is said). Only
 * then is the new spec recorded.
 */
const rolling: UpStep = {
  name: 'restart',
  async run(r) {
    const spec = r.spec!;
    if (!r.changes.length) return;
    const ids = [...r.live.keys()].filter((id) => spec.members.some((m) => m.id === id));
    r.step('restart', 'running', `${r.changes.join(', ')}: restarting servers ${ids.join(', ')} one at a time`);
    const signal = r.signal;
    const healthy = (mustRun: number[]) => waitHealthy(r.paths, spec, {
      timeoutMs: r.req.timeoutMs, mustRun, onStatus: (status) => r.emit({ kind: 'status', status }),
      ...(signal ? { signal } : {}), ...(mustRun.length ? { firstPollMs: 300 } : {}),
    });
    const before = r.status ?? (await healthy([]));
    const order = [...ids.filter((id) => id !== before.health.leader), ...ids.filter((id) => id === before.health.leader)];
    const ctx = { paths: r.paths, env: r.env, onNotice: (text: string) => r.emit({ kind: 'notice', text }) };
    for (const id of order) {
      if (signal?.aborted) throw new InterruptedError('`up`');
      await stopOne(ctx, id, (await liveServers(r.paths)).get(id));
      await startOne(ctx, spec, spec.members.find((m) => m.id === id)!, undefined);
      r.restarted.push(id);
      r.status = await healthy([id]);
    }
    await writeSpec(r.paths, spec);
    const voters = spec.members.filter((m) => m.peerType === 'participant').length;
    const leader = before.health.leader !== undefined && order.includes(before.health.leader) ? ` (leader ${before.health.leader} last)` : '';
    r.step('restart', 'done', `rolling restart applied ${r.changes.join(', ')}: servers ${order.join(', ')}${leader}; ${voters >= 3 ? 'a quorum served throughout' : `${voters} voter${voters > 1 ? 's' : ''} cannot keep a quorum while one restarts`}`);
  },
};

export const STEPS: UpStep[] = [java, dist, ports, unpack, configure, start, rolling];
