/**
 * Which release each server of an ensemble runs (pure). A member runs the ensemble's release
 * unless it records its own, which a rolling `upgrade` does server by server; once every member
 * runs the new release, the ensemble's release is the new one and no member records its own.
 */
import type { DistRecord, EnsembleSpec, Member } from './types.js';

/** The release member `m` runs. */
export function memberVersion(spec: EnsembleSpec, m: Member): string {
  return m.zkVersion ?? spec.zkVersion;
}

/** The tarball member `m`'s copy is unpacked from. */
export function memberDist(spec: EnsembleSpec, m: Member): DistRecord {
  return m.dist ?? spec.dist;
}

/** Every release the ensemble's members run, the ensemble's own first. */
export function ensembleVersions(spec: EnsembleSpec): string[] {
  return [...new Set([spec.zkVersion, ...spec.members.map((m) => memberVersion(spec, m))])].filter((v) => spec.members.some((m) => memberVersion(spec, m) === v));
}

/** "3.9.3" for one release; "3.8.0 (1, 2) and 3.9.3 (3)" for a mixed ensemble. */
export function describeVersions(spec: EnsembleSpec): string {
  const versions = ensembleVersions(spec);
  if (versions.length === 1) return versions[0]!;
  return versions.map((v) => `${v} (${spec.members.filter((m) => memberVersion(spec, m) === v).map((m) => m.id).join(', ')})`).join(' and ');
}

/**
 * The spec with member `id` on `version` from `dist`; when that makes every member run one
 * release, it becomes the ensemble's and the members stop recording their own.
 */
export function withMemberVersion(spec: EnsembleSpec, id: number, version: string, dist: DistRecord): EnsembleSpec {
  const members = spec.members.map((m): Member => (m.id === id ? { ...m, zkVersion: version, dist } : m));
  const all = members.map((m) => ({ version: m.zkVersion ?? spec.zkVersion, dist: m.dist ?? spec.dist }));
  if (all.every((x) => x.version === version && x.dist.sha512 === dist.sha512)) {
    return { ...spec, zkVersion: version, dist, members: members.map(({ zkVersion: _v, dist: _d, ...m }) => m) };
  }
  // A member back on the ensemble's own release records nothing of its own.
  return { ...spec, members: members.map(({ zkVersion, dist: d, ...m }) => (zkVersion === undefined || (zkVersion === spec.zkVersion && d?.sha512 === spec.dist.sha512) ? m : { ...m, zkVersion, dist: d! })) };
}
