/** ZooKeeper release versions: parsing and ordering (pure). What differs by version is in version-facts.ts. */

/** The release `up` uses when none is asked for: the newest of the current line. */
export const DEFAULT_ZK_VERSION = '3.9.5';

export const APACHE_CDN = 'https://dlcdn.apache.org/';
export const APACHE_ARCHIVE = 'https://archive.apache.org/dist/';

export interface ZkVersion {
  major: number;
  minor: number;
  patch: number;
  /** "-beta", "-alpha" or "" */
  suffix: string;
  text: string;
}

const VERSION_RE = /^(\d+)\.(\d+)\.(\d+)(-(?:alpha|beta))?$/;

/** Parses "3.8.0" or "3.5.4-beta"; returns undefined for anything else. */
export function parseZkVersion(text: string): ZkVersion | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), suffix: m[4] ?? '', text: text.trim() };
}

/** Negative, zero or positive like a sort comparator; pre-releases sort before their release. */
export function compareZkVersions(a: ZkVersion, b: ZkVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    (a.suffix === b.suffix ? 0 : a.suffix === '' ? 1 : b.suffix === '' ? -1 : a.suffix < b.suffix ? -1 : 1)
  );
}

/** True when `v` is at least major.minor.patch (a pre-release counts as below its release). */
export function atLeast(v: ZkVersion, major: number, minor: number, patch = 0): boolean {
  return compareZkVersions(v, { major, minor, patch, suffix: '', text: '' }) >= 0;
}
