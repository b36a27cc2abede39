/**
 * Checking a recorded ensemble.yaml after loading it (pure): a hand edit or a truncated write
 * must surface as "file: key: problem", never as a TypeError deep inside a command.
 */
import { parseZkVersion } from '../zk/versions.js';
import { ENSEMBLE_NAME } from './names.js';
import type { EnsembleSpec } from './types.js';

const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
  if (!isObject(value.dist)) say('dist', 'is missing');
  else for (const k of ['source', 'origin', 'tarball', 'sha512']) if (typeof value.dist[k] !== 'string') say(`dist.${k}`, 'is not a string');
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
      if (m.ports.secureClient !== undefined && !isPort(m.ports.secureClient)) say(`${key}.ports.secureClient`, `${JSON.stringify(m.ports.secureClient)} is not a port number`);
    });
  }
  if (value.security !== undefined) securityProblems(value.security, say);
  return problems;
}

/** A recorded `security` block: `{ tls?: { only, clientAuth }, sasl?: true }`. */
function securityProblems(sec: unknown, say: (key: string, message: string) => void): void {
  if (!isObject(sec)) return say('security', 'is not a mapping');
  if (sec.sasl !== undefined && typeof sec.sasl !== 'boolean') say('security.sasl', `${JSON.stringify(sec.sasl)} is not true or false`);
  if (sec.tls === undefined) return;
  if (!isObject(sec.tls)) return say('security.tls', 'is not a mapping');
  if (typeof sec.tls.only !== 'boolean') say('security.tls.only', `${JSON.stringify(sec.tls.only)} is not true or false`);
  if (!['need', 'want', 'none'].includes(sec.tls.clientAuth as string)) say('security.tls.clientAuth', `${JSON.stringify(sec.tls.clientAuth)} is not "need", "want" or "none"`);
}

/** Narrowing helper for callers that have checked `recordedSpecProblems(value)` is empty. */
export function asSpec(value: unknown): EnsembleSpec {
  const spec = value as EnsembleSpec;
  return { ...spec, config: spec.config ?? {} };
}
