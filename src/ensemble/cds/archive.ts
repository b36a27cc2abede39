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
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { mkdirOwned } from '../../edge/fs/owned-fs.js';
import { damaged, readBack, type Decoder } from '../../edge/fs/decode.js';
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
  await mkdirOwned(path.dirname(tree), dir);
  return dir;
}

/** True when `copyRoot/lib` is a link to `tree/lib` (the layout CDS needs). */
export async function libLinkedTo(copyRoot: string, tree: string): Promise<boolean> {
  const lib = path.join(copyRoot, 'lib');
  const l = await lstat(lib).catch(() => undefined);
  if (!l?.isSymbolicLink()) return false;
  return path.resolve(copyRoot, await readlink(lib)) === path.join(tree, 'lib');
}

/**
 * The first bytes of a HotSpot dynamic archive (-XX:ArchiveClassesAtExit): its header magic,
 * 0xf00baba8, little-endian (a static archive has 0xf00baba2). Checked on a real archive of
 * Java 17 and 25 here; zkpseudo only ever builds dynamic ones.
 */
export const DYNAMIC_ARCHIVE_MAGIC = Buffer.from([0xa8, 0xab, 0x0b, 0xf0]);

const ARCHIVE_HEAD: Decoder<Buffer> = (v) => {
  const head = v as Buffer;
  if (head.length < DYNAMIC_ARCHIVE_MAGIC.length) return { ok: false, problems: [head.length ? `it is only ${head.length} bytes long` : 'it is empty'] };
  if (!head.subarray(0, 4).equals(DYNAMIC_ARCHIVE_MAGIC)) return { ok: false, problems: [`it starts with ${head.subarray(0, 4).toString('hex')}, not a dynamic CDS archive's magic a8ab0bf0`] };
  return { ok: true, value: head };
};

/** The quarantine for archives found damaged or that crashed a JVM: kept for a look, never used again. */
export const quarantineDir = (cacheDir: string) => path.join(cacheDir, 'cds', 'quarantine');

const quarantineReport = (cacheDir: string, say: (text: string) => void, then: string) => ({
  root: cacheDir, say, then, what: 'The CDS archive',
  aside: (file: string) => path.join(quarantineDir(cacheDir), `${path.basename(file)}.${Date.now()}`),
});

/**
 * Whether the archive can be handed to a JVM: it exists, is not empty and starts with the
 * dynamic archive magic. One that is there but fails is moved to the quarantine (named through
 * `onNotice`), so it is never tried again. A JVM can still crash on an archive damaged past its
 * header (a truncated one passes this check): startOne catches that and quarantines it too.
 */
export async function archiveUsable(cacheDir: string, archive: string, onNotice?: (text: string) => void): Promise<boolean> {
  const read = await readBack(archive, ARCHIVE_HEAD, {
    as: 'bytes', head: true, maxBytes: 4,
    report: quarantineReport(cacheDir, onNotice ?? (() => undefined), 'servers start without it, and it is built again'),
  });
  return read.state === 'ok';
}

/** Moves an archive that crashed a JVM to the quarantine and says so; false when another process already did. */
export async function quarantineArchive(cacheDir: string, archive: string, why: string, onNotice?: (text: string) => void): Promise<boolean> {
  const out = await damaged(archive, [why], quarantineReport(cacheDir, onNotice ?? (() => undefined), 'servers start without it'));
  return out.state === 'damaged' && out.movedTo !== undefined;
}

/** How many times this archive was quarantined: after two, it is not built again (until `cache clear`). */
export async function timesQuarantined(cacheDir: string, archive: string): Promise<number> {
  const prefix = `${path.basename(archive)}.`;
  return (await readdir(quarantineDir(cacheDir)).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).length;
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
