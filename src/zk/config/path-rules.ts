/** Which directory paths ZooKeeper's scripts, its logging and the JVM can take as spelled (pure). */
import path from 'node:path';

/**
 * The longest path zkpseudo or ZooKeeper creates below a home: `<name>/zookeeper-<id>/data/
 * version-2/snapshot.<16 hex>` and the like, with the longest name (64) and room to spare.
 */
const DEEPEST_BELOW_HOME = 64 + 120;
const PATH_MAX = 4096;

/**
 * Why a directory (a home, the cache) cannot hold servers as spelled, or undefined; each
 * reason names the character or length and what it would break. Checked against real servers
 * (test/e2e/paths.test.ts): spaces, quotes, `$x`, `%` and non-ASCII letters work, since every
 * value is escaped where it is written.
 */
export function pathProblem(dir: string): string | undefined {
  if (dir.includes(path.delimiter)) return `it contains "${path.delimiter}", which splits the Java classpath of every server under it`;
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/.exec(dir);
  if (control) return `it contains a control character (U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}), which zkServer.sh cannot pass on`;
  if (dir.includes('${')) return 'it contains "${", which the servers\' logging configuration (log4j, logback) would read as a variable and write its logs elsewhere';
  const astral = /[\u{10000}-\u{10FFFF}]/u.exec(dir);
  if (astral) return `it contains "${astral[0]}" (U+${astral[0].codePointAt(0)!.toString(16).toUpperCase()}), a character outside Unicode's Basic Multilingual Plane, which the JVM cannot take in a classpath`;
  if (Buffer.byteLength(dir) + DEEPEST_BELOW_HOME > PATH_MAX) return `it is ${Buffer.byteLength(dir)} bytes long; the servers' files below it would pass the ${PATH_MAX}-byte path limit (keep it under ${PATH_MAX - DEEPEST_BELOW_HOME})`;
  const long = dir.split(path.sep).find((part) => Buffer.byteLength(part) > 255);
  if (long) return `its component "${long.slice(0, 20)}…" is longer than 255 bytes, the file-name limit`;
  return undefined;
}
