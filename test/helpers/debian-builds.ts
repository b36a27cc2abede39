/**
 * Real builds of ZooKeeper releases other than the installed one, laid out exactly as Apache's
 * binary tarballs, from Debian's packages that scripts/fetch-releases.sh downloaded into
 * .test-cache/versions/<suite>/ (never installed):
 *
 * - 3.9.3 (trixie) as `apache-zookeeper-3.9.3-bin.tar.gz`: `bin/` and `conf/` from Apache's
 *   source release (the source package's orig tarball), `lib/` from Debian's jars of 3.9.3 and
 *   what they need, from the same suite.
 * - 3.4.13 (bullseye) as `zookeeper-3.4.13.tar.gz`: `zookeeper-3.4.13.jar` at the top level and
 *   `lib/` beside it; Apache's scripts from the `zookeeper` package, except zkEnv.sh, which
 *   Debian replaced with its own: Apache's is in test/fixtures/apache-3.4.13/ (checked below to
 *   be the release's file, byte for byte); `conf/` from the package's conf_example.
 *
 * Which jars go into `lib/` is read from the zookeeper jar's manifest Class-Path (and, in
 * turn, each chosen jar's), so a jar that the release names but nobody fetched fails loudly;
 * then the Class-Path headers are dropped, so the build runs on its own lib/ and nothing else.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, readlink, lstat, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { packDirectory } from '../../src/tarball/pack.js';
import { manifestClassPath } from '../../src/tarball/system.js';
import { versionFacts } from '../../src/zk/version-facts.js';
import { parseZkVersion } from '../../src/zk/versions.js';

const REPO = path.resolve(import.meta.dirname, '../..');
export const VERSIONS_DIR = path.join(REPO, '.test-cache', 'versions');
const FIXTURE_ZKENV = path.join(REPO, 'test', 'fixtures', 'apache-3.4.13', 'bin', 'zkEnv.sh');
/** The git blob id of bin/zkEnv.sh at Apache's tag release-3.4.13. */
const APACHE_3_4_13_ZKENV_BLOB = '43cbc2235a509004f4a17b4349677970fdd77a90';

/** The suites the version matrix takes releases from, and the release each holds. */
export const DEBIAN_RELEASES = [
  { suite: 'trixie', version: '3.9.3' },
  { suite: 'bullseye', version: '3.4.13' },
] as const;

interface Recipe {
  /** Class-Path entries not shipped, each with why (Apache's tarball does not have them either). */
  notNeeded: Record<string, string>;
  /** A Class-Path entry served by another jar (as Apache's tarball has it). */
  instead: Record<string, string>;
  /** Jars Apache's tarball ships beyond the manifest's. */
  extra: string[];
}

const RECIPES: Record<string, Recipe> = {
  '3.9.3': {
    notNeeded: {
      'jetty9-client.jar': '"provided" scope in ZooKeeper\'s pom (only the test controller\'s CommandClient uses it); Apache\'s tarball has none',
    },
    // Debian's manifest names JLine 1; ZooKeeper 3.9's zkCli.sh is written for JLine 2 (Apache
    // ships jline-2.14.6), and the two cannot share a classpath (both define jline.Terminal).
    instead: { 'jline.jar': 'jline2.jar' },
    // logback: the logging binding of 3.8+ (conf/logback.xml); the netty jars netty-handler
    // needs; the servlet API for the AdminServer's Jetty.
    extra: ['logback-classic.jar', 'logback-core.jar', 'netty-codec.jar', 'netty-resolver.jar', 'netty-transport-native-unix-common.jar', 'servlet-api.jar'],
  },
  '3.4.13': {
    notNeeded: {
      'xercesImpl.jar': 'a Debian addition; ZooKeeper 3.4 does not use Xerces, and Apache\'s tarball has none',
      'xmlParserAPIs.jar': 'goes with xercesImpl.jar',
    },
    instead: {},
    // slf4j and its log4j binding: 3.4 logs through slf4j to log4j (conf/log4j.properties).
    extra: ['slf4j-api.jar', 'slf4j-log4j12.jar'],
  },
};

export interface DebianBuild {
  version: string;
  suite: string;
  tarball: string;
  sha512: string;
}

const gitBlobId = (data: Buffer) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

/** A path inside the extracted packages, following links as if `root` were `/`. */
async function realInRoot(root: string, p: string, hops = 0): Promise<string | undefined> {
  const full = path.join(root, p);
  const st = await lstat(full).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isSymbolicLink()) return full;
  if (hops > 10) return undefined;
  const to = await readlink(full);
  return realInRoot(root, path.isAbsolute(to) ? to : path.join(path.dirname(p), to), hops + 1);
}

/** The jars `lib/` needs: the manifest's Class-Path, followed jar by jar, plus the recipe's extras. */
async function selectJars(root: string, recipe: Recipe, suite: string): Promise<string[]> {
  const javaDir = '/usr/share/java';
  const chosen = new Map<string, string>();
  const queue = [...(await manifestClassPath(path.join(root, javaDir, 'zookeeper.jar'))), ...recipe.extra.map((j) => path.join(javaDir, j))];
  while (queue.length) {
    const entry = queue.shift()!;
    const asked = path.isAbsolute(entry) ? entry : path.join(javaDir, entry);
    const name = path.basename(asked);
    if (recipe.notNeeded[name]) continue;
    const wanted = recipe.instead[name] ? path.join(javaDir, recipe.instead[name]) : asked;
    if (chosen.has(wanted)) continue;
    const real = await realInRoot(root, wanted);
    if (!real) throw new Error(`Debian ${suite}: ${wanted} is needed (named by a manifest Class-Path) but no fetched package has it; add its package to scripts/fetch-releases.sh`);
    chosen.set(wanted, real);
    queue.push(...(await manifestClassPath(real)));
  }
  return [...chosen.values()];
}

/**
 * Debian's jars name their dependencies in the manifest by absolute path (/usr/share/java/…),
 * which the JVM follows: on a machine with Debian's ZooKeeper installed, a jar missing from
 * lib/ would quietly come from another release's packages. Apache's jars name nothing, so the
 * Class-Path header goes, and the build runs on its lib/ alone.
 */
async function dropClassPath(jar: string): Promise<void> {
  const { default: AdmZip } = await import('adm-zip');
  const zip = new AdmZip(jar);
  const entry = zip.getEntry('META-INF/MANIFEST.MF');
  if (!entry) return;
  const text = entry.getData().toString('utf8');
  const kept = text.replace(/^Class-Path:.*(?:\r?\n [^\r\n]*)*\r?\n/m, '');
  if (kept === text) return;
  zip.updateFile(entry, Buffer.from(kept, 'utf8'));
  zip.writeZip(jar);
}

async function fetched(suite: string): Promise<{ debs: string[]; sources: string[] } | { missing: string }> {
  const top = path.join(VERSIONS_DIR, suite);
  const complete = await readFile(path.join(top, 'complete'), 'utf8').catch(() => undefined);
  const debs = (await readdir(path.join(top, 'debs')).catch(() => [] as string[])).filter((f) => f.endsWith('.deb'));
  if (!complete || !debs.length) return { missing: `Debian ${suite}'s ZooKeeper packages are not in ${top}: run scripts/setup.sh (it fetches them with scripts/fetch-releases.sh)` };
  const sources = await readdir(path.join(top, 'source')).catch(() => [] as string[]);
  return { debs: debs.map((d) => path.join(top, 'debs', d)), sources: sources.map((s) => path.join(top, 'source', s)) };
}

/** Builds the release of Debian `suite` as Apache's tarball in `outDir`, or says why it cannot. */
export async function buildDebianRelease(suite: string, outDir: string): Promise<DebianBuild | { missing: string }> {
  const files = await fetched(suite);
  if ('missing' in files) return files;
  // Built once per set of inputs (the fetched files, this helper, the 3.4 fixture) and kept
  // beside them, so a test run does not lay out the same tarball again.
  const key = createHash('sha256');
  for (const f of [...files.debs, ...files.sources].sort()) key.update(`${path.basename(f)}:${(await stat(f)).size}\n`);
  key.update(await readFile(import.meta.filename)).update(await readFile(FIXTURE_ZKENV));
  const built = path.join(VERSIONS_DIR, suite, 'built', key.digest('hex').slice(0, 16));
  const kept = await readFile(path.join(built, 'build.json'), 'utf8').then((t) => JSON.parse(t) as DebianBuild, () => undefined);
  if (kept && (await stat(kept.tarball).catch(() => undefined))) return kept;
  const build = await assemble(suite, files, outDir);
  await rm(path.dirname(built), { recursive: true, force: true });
  await mkdir(built, { recursive: true });
  const tarball = path.join(built, path.basename(build.tarball));
  await copyFile(build.tarball, tarball);
  await writeFile(path.join(built, 'build.json'), JSON.stringify({ ...build, tarball }));
  return { ...build, tarball };
}

async function assemble(suite: string, files: { debs: string[]; sources: string[] }, outDir: string): Promise<DebianBuild> {
  const work = path.join(outDir, `debian-${suite}`);
  const root = path.join(work, 'root');
  await rm(work, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const deb of files.debs) await execa('dpkg-deb', ['-x', deb, root]);
  const mainJar = await realInRoot(root, '/usr/share/java/zookeeper.jar');
  const text = /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(path.basename(mainJar ?? ''))?.[1];
  const version = text ? parseZkVersion(text) : undefined;
  if (!mainJar || !version) throw new Error(`Debian ${suite}: no versioned zookeeper jar in the fetched packages`);
  const recipe = RECIPES[version.text];
  if (!recipe) throw new Error(`Debian ${suite} holds ZooKeeper ${version.text}, which test/helpers/debian-builds.ts has no recipe for`);
  const facts = versionFacts(version).tarball;
  const staging = path.join(work, 'staging', facts.topDir);
  await mkdir(path.join(staging, 'lib'), { recursive: true });
  await mkdir(path.join(staging, 'bin'), { recursive: true });
  await mkdir(path.join(staging, 'conf'), { recursive: true });

  if (facts.jarAtTop) await layoutClassic(root, staging, suite);
  else await layoutBin(files.sources, version.text, staging, suite);
  const jars: [string, string][] = [[mainJar, path.join(facts.jarAtTop ? staging : path.join(staging, 'lib'), `zookeeper-${version.text}.jar`)]];
  for (const jar of await selectJars(root, recipe, suite)) if (jar !== mainJar) jars.push([jar, path.join(staging, 'lib', path.basename(jar))]);
  for (const [from, to] of jars) {
    await copyFile(from, to);
    await dropClassPath(to);
  }
  const tarball = path.join(outDir, facts.name);
  const sha512 = await packDirectory(staging, facts.topDir, tarball);
  await rm(work, { recursive: true, force: true });
  return { version: version.text, suite, tarball, sha512 };
}

/** 3.5.5+: bin/ and conf/ exactly as Apache's source release has them. */
async function layoutBin(sources: string[], version: string, staging: string, suite: string): Promise<void> {
  const orig = sources.find((s) => path.basename(s) === `zookeeper_${version}.orig.tar.gz`);
  if (!orig) throw new Error(`Debian ${suite}: Apache's source release zookeeper_${version}.orig.tar.gz was not fetched; run scripts/setup.sh`);
  const tar = await import('tar');
  await tar.x({ file: orig, cwd: staging, strip: 1, filter: (p) => /^[^/]+\/(bin|conf)\//.test(p) && !p.endsWith('.cmd') });
}

/** 3.4: Apache's scripts from the `zookeeper` package, Apache's zkEnv.sh, conf_example as conf/. */
async function layoutClassic(root: string, staging: string, suite: string): Promise<void> {
  for (const script of ['zkServer.sh', 'zkCli.sh', 'zkCleanup.sh']) {
    await copyFile(path.join(root, 'usr/share/zookeeper/bin', script), path.join(staging, 'bin', script));
  }
  const zkEnv = await readFile(FIXTURE_ZKENV);
  if (gitBlobId(zkEnv) !== APACHE_3_4_13_ZKENV_BLOB) throw new Error(`${FIXTURE_ZKENV} is not Apache's 3.4.13 zkEnv.sh (git blob ${APACHE_3_4_13_ZKENV_BLOB})`);
  await copyFile(FIXTURE_ZKENV, path.join(staging, 'bin', 'zkEnv.sh'));
  const example = path.join(root, 'etc/zookeeper/conf_example');
  for (const [from, to] of [['log4j.properties', 'log4j.properties'], ['configuration.xsl', 'configuration.xsl'], ['zoo.cfg', 'zoo_sample.cfg']] as const) {
    await copyFile(path.join(example, from), path.join(staging, 'conf', to)).catch((err) => {
      throw new Error(`Debian ${suite}: conf_example/${from} is missing from the zookeeper package (${(err as Error).message})`);
    });
  }
  const { chmod } = await import('node:fs/promises');
  for (const script of await readdir(path.join(staging, 'bin'))) await chmod(path.join(staging, 'bin', script), 0o755);
}
