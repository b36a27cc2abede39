/**
 * Checking a recorded ensemble.yaml after loading it (pure): a hand edit or a truncated write
 * must surface as "file: key: problem", never as a TypeError deep inside a command.
 */
import { parseZkVersion } from '../zk/versions.js';
import { ENSEMBLE_NAME } from './names.js';
import type { EnsembleSpec } from './types.js';

const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DIST_SOURCES = ['download', 'system', 'tarball', 'directory', 'url'];

function distProblems(dist: unknown, key: string, say: (key: string, message: string) => void): void {
  if (!isObject(dist)) return say(key, 'is missing');
  for (const k of ['source', 'origin', 'tarball', 'sha512']) if (typeof dist[k] !== 'string') say(`${key}.${k}`, 'is not a string');
  if (typeof dist.source === 'string' && !DIST_SOURCES.includes(dist.source)) say(`${key}.source`, `${JSON.stringify(dist.source)} is not one of ${DIST_SOURCES.join(', ')}`);
}

/** Every problem with a loaded spec, as "key: problem"; empty when it is usable. */
export function recordedSpecProblems(value: unknown): string[] {
  if (!isObject(value)) return ['the file does not hold a mapping of keys'];
  const problems: string[] = [];
  const say = (key: string, message: string) => problems.push(`${key}: ${message}`);
  if (typeof value.name !== 'string' || !ENSEMBLE_NAME.test(value.name)) say('name', `${JSON.stringify(value.name)} is not an ensemble name`);
  if (typeof value.zkVersion !== 'string' || !parseZkVersion(value.zkVersion)) say('zkVersion', `${JSON.stringify(value.zkVersion)} is not a ZooKeeper version like 3.8.4`);
  if (!Number.isInteger(value.heapMb) || (value.heapMb as number) < 32) say('heapMb', `${JSON.stringify(value.heapMb)} is not a heap size in MiB (at least 32)`);
  const scheme = value.portScheme;
  if (!(scheme === 'auto' || scheme === 'classic' || isPort(scheme))) say('portScheme', `${JSON.stringify(scheme)} is not "auto", "classic" or a base port`);
  distProblems(value.dist, 'dist', say);
  if (value.config !== undefined && (!isObject(value.config) || Object.values(value.config).some((v) => typeof v !== 'string'))) say('config', 'is not a mapping of zoo.cfg keys to strings');
  if (!Array.isArray(value.members) || value.members.length === 0) say('members', 'is not a list of servers');
  else {
    value.members.forEach((m: unknown, i: number) => {
      const key = `members[${i}]`;
      if (!isObject(m)) return say(key, 'is not a server');
      if (m.id !== i + 1) say(`${key}.id`, `${JSON.stringify(m.id)} should be ${i + 1}`);
      if (m.peerType !== 'participant' && m.peerType !== 'observer') say(`${key}.peerType`, `${JSON.stringify(m.peerType)} is not "participant" or "observer"`);
      if (!isObject(m.ports)) return say(`${key}.ports`, 'is missing');
      for (const p of ['client', 'quorum', 'election']) if (!isPort(m.ports[p])) say(`${key}.ports.${p}`, `${JSON.stringify(m.ports[p])} is not a port number`);
      if (m.ports.admin !== undefined && !isPort(m.ports.admin)) say(`${key}.ports.admin`, `${JSON.stringify(m.ports.admin)} is not a port number`);
      // A member of a mixed ensemble records its own release and where its copy came from, both or neither.
      if (m.zkVersion !== undefined && (typeof m.zkVersion !== 'string' || !parseZkVersion(m.zkVersion))) say(`${key}.zkVersion`, `${JSON.stringify(m.zkVersion)} is not a ZooKeeper version like 3.8.4`);
      if ((m.zkVersion === undefined) !== (m.dist === undefined)) say(key, 'records zkVersion and dist together or neither');
      else if (m.dist !== undefined) distProblems(m.dist, `${key}.dist`, say);
    });
  }
  return problems;
}

/** Narrowing helper for callers that have checked `recordedSpecProblems(value)` is empty. */
export function asSpec(value: unknown): EnsembleSpec {
  const spec = value as EnsembleSpec;
  return { ...spec, config: spec.config ?? {} };
}
