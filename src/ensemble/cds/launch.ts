/** Which servers start with the shared CDS archive, and building it when a tree has none (see archive.ts). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { archivePath, archiveUsable, CDS_BUILDER_FLAG, cdsEnabled, emptyConfDir, jvmFlagSafe, libLinkedTo, loggingProperty, timesQuarantined, useArchiveFlags } from './archive.js';
import { ownedName } from '../../edge/fs/owned-fs.js';
import { helperScript } from '../../edge/fs/package-files.js';
import { findJava, type JavaRuntime } from '../../edge/process/java.js';
import type { DistRecord, EnsembleSpec, Member } from '../../options/types.js';
import { memberDist, memberVersion } from '../../options/member-versions.js';
import { cacheDir } from '../../tarball/resolve.js';
import { versionFacts } from '../../zk/version-facts.js';
import { parseZkVersion } from '../../zk/versions.js';
import type { ServerPaths } from '../store/layout.js';

const BUILDER = 'ensemble/cds/builder-main.js';

/** The unpacked tree in the cache every copy of this tarball comes from (named by its digest: never a path read from the file). */
export function treeDir(env: NodeJS.ProcessEnv, dist: DistRecord): string {
  return path.join(cacheDir(env), 'trees', ownedName(dist.sha512.slice(0, 32), /^[0-9a-f]{32}$/, 'ensemble.yaml\'s dist.sha512'));
}

let javaOnce: Promise<JavaRuntime | undefined> | undefined;
const java = (env: NodeJS.ProcessEnv) => (javaOnce ??= findJava(env).catch(() => undefined));

/** True when new copies should be laid out for CDS (their lib/ a link to the shared tree). */
export async function linkCopies(env: NodeJS.ProcessEnv): Promise<boolean> {
  return cdsEnabled(env, (await java(env))?.feature);
}

export interface CdsLaunch {
  /** The shared empty ZOOCFGDIR, when the archive is used. */
  configDir?: string;
  /** The archive the server maps, when it does. */
  archive?: string;
  flags: string[];
}

/**
 * How one server starts: with the archive of its release's tree when its copy, the Java and the
 * archive allow it; else normally. An archive that fails its check (see archiveUsable) is
 * quarantined, saying so through `onNotice`.
 */
export async function cdsLaunch(sp: ServerPaths, spec: EnsembleSpec, member: Member, env: NodeJS.ProcessEnv, onNotice?: (text: string) => void): Promise<CdsLaunch> {
  const j = await java(env);
  if (!j || !cdsEnabled(env, j.feature)) return { flags: [] };
  const tree = treeDir(env, memberDist(spec, member));
  if (!(await libLinkedTo(sp.root, tree))) return { flags: [] };
  const archive = archivePath(cacheDir(env), tree, j);
  if (!(await archiveUsable(cacheDir(env), archive, onNotice))) return { flags: [] };
  const logging = await loggingProperty(sp.confDir, versionFacts(parseZkVersion(memberVersion(spec, member))!).loggingConfigs);
  if (!jvmFlagSafe(archive) || (logging && !jvmFlagSafe(logging))) return { flags: [] };
  return { configDir: await emptyConfDir(tree), archive, flags: [...useArchiveFlags(archive), ...(logging ? [logging] : [])] };
}

/**
 * Starts the archive builder in the background for each release the spec's members run whose
 * tree has no archive yet; it runs detached, so the caller (a CLI, a test runner) neither
 * waits for it nor is kept alive by it. The builder is told the release, so its scratch
 * servers get a zoo.cfg of that release's shape.
 */
export async function scheduleArchive(spec: EnsembleSpec, env: NodeJS.ProcessEnv, jvmFlags: string[]): Promise<boolean> {
  const j = await java(env);
  if (!j || !cdsEnabled(env, j.feature)) return false;
  const builds = new Map(spec.members.map((m) => [memberDist(spec, m).sha512, { dist: memberDist(spec, m), version: memberVersion(spec, m) }]));
  let started = false;
  for (const { dist, version } of builds.values()) {
    const tree = treeDir(env, dist);
    const archive = archivePath(cacheDir(env), tree, j);
    if (await stat(archive).catch(() => undefined)) continue;
    // An archive quarantined twice (damaged, or crashing JVMs) is not built again until `cache clear`.
    if ((await timesQuarantined(cacheDir(env), archive)) >= 2) continue;
    const child = spawn(process.execPath, [helperScript(BUILDER), CDS_BUILDER_FLAG, tree, archive, JSON.stringify(jvmFlags), version], { detached: true, stdio: 'ignore', env });
    child.unref();
    started = true;
  }
  return started;
}
