/**
 * Application class-data sharing (CDS) for the servers' JVMs: one dynamic archive per
 * unpacked ZooKeeper tree and Java, dumped once by a throwaway server (builder.ts) and then
 * mapped by every server of every ensemble made from that tree, so each JVM loads and verifies
 * fewer classes at boot.
 *
 * An archive is only valid for the classpath it was dumped with, compared by real path. So
 * servers that use it (a) have `lib/` as a link to the shared tree's `lib/` (the same real
 * jar paths everywhere), and (b) put one shared, empty directory on the classpath as
 * ZOOCFGDIR (the JVM refuses to dump with a non-empty directory there), with the server's
 * logging configuration named by system property instead. A missing, stale or refused archive
 * costs nothing: the JVM falls back to a normal start, silently.
 */
import { createHash } from 'node:crypto';
import { mkdir, lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { ALL_LOGGING_CONFIGS, type LoggingConfig } from '../../zk/version-facts.js';

/** Dynamic archives (-XX:ArchiveClassesAtExit) exist from Java 13. */
export const CDS_MIN_JAVA = 13;

export function cdsEnabled(env: NodeJS.ProcessEnv, javaFeature: number | undefined): boolean {
  return env.ZKPSEUDO_CDS !== '0' && javaFeature !== undefined && javaFeature >= CDS_MIN_JAVA;
}

/** The archive for a tree and a Java, keyed so a new JDK or a new tree never uses an old archive. */
export function archivePath(cacheDir: string, tree: string, java: { executable: string; version: string }): string {
  const key = createHash('sha256').update(`${tree}\0${java.executable}\0${java.version}`).digest('hex').slice(0, 16);
  return path.join(cacheDir, 'cds', `${path.basename(tree)}-${key}.jsa`);
}

/** The shared empty directory every CDS server has as ZOOCFGDIR (created on demand, kept empty). */
export async function emptyConfDir(tree: string): Promise<string> {
  const dir = path.join(tree, '.zkpseudo-empty-conf');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** True when `copyRoot/lib` is a link to `tree/lib` (the layout CDS needs). */
export async function libLinkedTo(copyRoot: string, tree: string): Promise<boolean> {
  const lib = path.join(copyRoot, 'lib');
  const l = await lstat(lib).catch(() => undefined);
  if (!l?.isSymbolicLink()) return false;
  return path.resolve(copyRoot, await readlink(lib)) === path.join(tree, 'lib');
}

export async function archiveReady(archive: string): Promise<boolean> {
  return ((await stat(archive).catch(() => undefined))?.size ?? 0) > 0;
}

/**
 * zkServer.sh splits SERVER_JVMFLAGS on blanks, and a file: URL wants plain characters: a
 * path that would not survive either keeps its server on a normal start.
 */
export function jvmFlagSafe(p: string): boolean {
  return /^[\x21-\x7e]+$/.test(p);
}

/**
 * The system property naming a copy's logging configuration (the first of `configs` it
 * carries: a release's own preference, see zk/version-facts), or undefined when it has none.
 */
export async function loggingProperty(confDir: string, configs: LoggingConfig[] = ALL_LOGGING_CONFIGS): Promise<string | undefined> {
  for (const c of configs) {
    const file = path.join(confDir, c.file);
    if (await stat(file).catch(() => undefined)) return c.property(file);
  }
  return undefined;
}

/** Flags that map the archive, silencing the JVM's own note when it falls back. */
export function useArchiveFlags(archive: string): string[] {
  return [`-XX:SharedArchiveFile=${archive}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'];
}

/** The argument that makes builder-main.ts build an archive (kept here so launching it loads none of the builder). */
export const CDS_BUILDER_FLAG = '--zkpseudo-cds-builder';

/**
 * Which scratch server of a CDS archive builder a zoo.cfg path is — the builder runs its
 * servers as `<cache>/cds/work-<builder pid>/server-<i>/conf/zoo.cfg` (builder.ts) — or
 * undefined for any other path. `gc` stops those a dead builder left behind.
 */
export function scratchServerOf(cacheDir: string, config: string): { builderPid: number; id: number; workDir: string } | undefined {
  const cds = path.join(cacheDir, 'cds');
  if (!config.startsWith(cds + path.sep)) return undefined;
  const m = /^work-(\d+)[/\\]server-(\d+)[/\\]conf[/\\]zoo\.cfg$/.exec(config.slice(cds.length + 1));
  return m ? { builderPid: Number(m[1]), id: Number(m[2]), workDir: path.join(cds, `work-${m[1]}`) } : undefined;
}
