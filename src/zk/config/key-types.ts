/**
 * What each known zoo.cfg key's value must be, as ZooKeeper reads it (pure). Checked against
 * QuorumPeerConfig.parseProperties and the classes that read `zookeeper.*` system properties in
 * the 3.8.0 sources: a key parseProperties reads with Integer.parseInt, Long.parseLong or its
 * strict true/false parser stops the server at start on a bad value (NumberFormatException,
 * "Invalid option … Choose 'true' or 'false.'"); a key passed on as a system property is read
 * later, where a bad value either stops it too (cnxTimeout) or is silently replaced by the
 * default (snapCount, forceSync=No). Both are refused here, before anything starts.
 *
 * Keys not in the table pass untouched: ZooKeeper turns unknown keys into system properties
 * `zookeeper.<key>`, and zkpseudo does not guess what they mean.
 */
import { DEFAULT_TUNABLES } from './keys.js';

/** Java's integer types, which bound what ZooKeeper can read. */
const JAVA_MAX = { int: 2n ** 31n - 1n, long: 2n ** 63n - 1n } as const;

export type KeyType =
  /** A whole number in `unit`s from `min`; ZooKeeper reads it as a Java int or long. */
  | { kind: 'integer'; java: 'int' | 'long'; unit?: string; min: number; max?: number; meaning?: string }
  /** "true" or "false" in any case (QuorumPeerConfig.parseBoolean, Boolean.parseBoolean). */
  | { kind: 'boolean' }
  /** Exactly "yes" or "no": ZooKeeper compares the text (`!equals("no")`), so "No" means yes. */
  | { kind: 'yes-no' }
  /** One of a few words. */
  | { kind: 'one-of'; values: readonly string[]; why: string };

const ms = (min: number, meaning?: string): KeyType => ({ kind: 'integer', java: 'int', unit: 'milliseconds', min, ...(meaning ? { meaning } : {}) });
const msLong = (min: number, meaning?: string): KeyType => ({ kind: 'integer', java: 'long', unit: 'milliseconds', min, ...(meaning ? { meaning } : {}) });
const ticks = (min: number, meaning?: string): KeyType => ({ kind: 'integer', java: 'int', unit: 'ticks', min, ...(meaning ? { meaning } : {}) });
const count = (unit: string, min: number, meaning?: string, java: 'int' | 'long' = 'int'): KeyType => ({ kind: 'integer', java, unit, min, ...(meaning ? { meaning } : {}) });
const bool: KeyType = { kind: 'boolean' };
const yesNo: KeyType = { kind: 'yes-no' };

/**
 * ZooKeeper's server keys a user may set, with their types. Durations are in the unit
 * ZooKeeper defines for each: initLimit, syncLimit and connectToLearnerMasterLimit in ticks
 * (multiples of tickTime), session timeouts and the rest in milliseconds, purgeInterval in hours.
 */
export const KEY_TYPES: Readonly<Record<string, KeyType>> = {
  // Read by QuorumPeerConfig.parseProperties: a bad value stops the server at start.
  tickTime: ms(1),
  initLimit: ticks(1),
  syncLimit: ticks(1),
  connectToLearnerMasterLimit: ticks(0, '0: initLimit applies'),
  maxClientCnxns: count('connections', 0, '0: no limit'),
  minSessionTimeout: ms(1),
  maxSessionTimeout: ms(1),
  clientPortListenBacklog: count('connections', 1),
  observerMasterPort: { kind: 'integer', java: 'int', min: 1, max: 65535, meaning: 'a port' },
  electionAlg: { kind: 'one-of', values: ['3'], why: 'the only leader election ZooKeeper 3.6+ has, and every release\'s default' },
  'autopurge.snapRetainCount': count('snapshots', 3),
  'autopurge.purgeInterval': count('hours', 0, '0: never purge'),
  'quorum.cnxn.threads.size': count('threads', 1),
  'multiAddress.reachabilityCheckTimeoutMs': ms(1),
  'jvm.pause.info-threshold.ms': msLong(0),
  'jvm.pause.warn-threshold.ms': msLong(0),
  'jvm.pause.sleep.time.ms': msLong(1),
  localSessionsEnabled: bool,
  localSessionsUpgradingEnabled: bool,
  quorumListenOnAllIPs: bool,
  syncEnabled: bool,
  sslQuorum: bool,
  portUnification: bool,
  sslQuorumReloadCertFiles: bool,
  'quorum.auth.enableSasl': bool,
  'quorum.auth.serverRequireSasl': bool,
  'quorum.auth.learnerRequireSasl': bool,
  'jvm.pause.monitor': bool,
  'multiAddress.enabled': bool,
  'multiAddress.reachabilityCheckEnabled': bool,
  // Passed on as system properties zookeeper.<key> and read where they are used.
  forceSync: yesNo,
  skipACL: yesNo,
  leaderServes: yesNo,
  cnxTimeout: ms(1),
  preAllocSize: count('kilobytes', 1, undefined, 'long'),
  snapCount: count('transactions', 2),
  snapSizeLimitInKb: count('kilobytes', 0, '0: no limit', 'long'),
  txnLogSizeLimitInKb: count('kilobytes', 0, '0: no limit', 'long'),
  globalOutstandingLimit: count('requests', 1),
  'fsync.warningthresholdms': msLong(0),
  // ZooKeeper reads jute.maxbuffer only as the JVM's own -Djute.maxbuffer; typed all the same.
  'jute.maxbuffer': count('bytes', 1),
  maxCnxns: count('connections', 0, '0: no limit'),
  'fastleader.minNotificationInterval': ms(1),
  'fastleader.maxNotificationInterval': ms(1),
  'snapshot.trust.empty': bool,
  forceSnapshotSync: bool,
  enforceQuota: bool,
  'digest.enabled': bool,
  'closeSessionTxn.enabled': bool,
};

/**
 * Java's String.trim(), which ZooKeeper applies to every value: it drops characters up to
 * U+0020 at both ends and nothing else (not U+00A0, not U+3000), unlike JavaScript's trim().
 */
export function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** What a key of this type takes, in words: "a whole number of ticks ≥ 1". */
export function expected(type: KeyType, showMax = false): string {
  switch (type.kind) {
    case 'integer': {
      const max = type.max ?? JAVA_MAX[type.java];
      const range = type.max !== undefined || showMax ? `from ${type.min} to ${max}` : `≥ ${type.min}`;
      const of = type.unit ? ` of ${type.unit}` : '';
      const notes = [type.meaning, showMax && type.max === undefined ? `ZooKeeper reads it as a Java ${type.java}` : undefined].filter(Boolean);
      return `a whole number${of} ${range}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    }
    case 'boolean':
      return 'true or false';
    case 'yes-no':
      return 'yes or no, in lower case (ZooKeeper compares the text exactly)';
    case 'one-of':
      return `${type.values.join(' or ')} (${type.why})`;
  }
}

export type ValueCheck = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Checks one value against the key's type. A known key's value comes back trimmed as
 * ZooKeeper trims it; an unknown key's value comes back untouched. Digits are ASCII only:
 * Java would read "５" as 5, but a full-width digit in a config is a slip, not a choice.
 */
export function checkConfigValue(key: string, raw: string): ValueCheck {
  const type = KEY_TYPES[key];
  if (!type) return { ok: true, value: raw };
  const value = javaTrim(raw);
  const refuse = (showMax = false): ValueCheck => ({ ok: false, problem: `${key} takes ${expected(type, showMax)}, not ${JSON.stringify(raw)}` });
  switch (type.kind) {
    case 'integer': {
      if (!/^-?[0-9]+$/.test(value)) return refuse();
      const n = BigInt(value);
      if (n < BigInt(type.min)) return refuse();
      if (n > (type.max !== undefined ? BigInt(type.max) : JAVA_MAX[type.java])) return refuse(true);
      return { ok: true, value: n.toString() === value ? value : n.toString() };
    }
    case 'boolean':
      return /^(true|false)$/i.test(value) ? { ok: true, value } : refuse();
    case 'yes-no':
      return value === 'yes' || value === 'no' ? { ok: true, value } : refuse();
    case 'one-of':
      return type.values.includes(value) ? { ok: true, value } : refuse();
  }
}

/** One problem that involves several keys, attached to the key a user would change. */
export interface ConfigConflict {
  key: string;
  problem: string;
}

const INT_MAX = Number(JAVA_MAX.int);

/**
 * Combinations of checked values ZooKeeper refuses at start (QuorumPeerConfig.parseProperties),
 * or that overflow the int it computes them in: minSessionTimeout above maxSessionTimeout (each
 * defaulting to 2 and 20 ticks), tickTime × initLimit or × syncLimit beyond 2³¹−1 ms, and
 * quorum SASL required without being enabled. `tickMs` is the tick zkpseudo writes when the
 * config has no tickTime.
 */
export function configConflicts(config: Readonly<Record<string, string>>, tickMs?: number): ConfigConflict[] {
  const out: ConfigConflict[] = [];
  const num = (key: string) => (config[key] !== undefined ? Number(config[key]) : undefined);
  const tick = num('tickTime') ?? tickMs ?? Number(DEFAULT_TUNABLES.tickTime);
  const tickSaid = config.tickTime !== undefined ? `tickTime ${tick} ms` : `a tick of ${tick} ms`;
  const minSet = num('minSessionTimeout');
  const maxSet = num('maxSessionTimeout');
  const min = minSet ?? tick * 2;
  const max = maxSet ?? tick * 20;
  if (min > max) {
    const said = (v: number, set: number | undefined, ticks: number) => (set !== undefined ? `${v} ms` : `${v} ms, ZooKeeper's default of ${ticks} ticks at ${tickSaid}`);
    out.push({
      key: minSet !== undefined ? 'minSessionTimeout' : 'maxSessionTimeout',
      problem: `minSessionTimeout (${said(min, minSet, 2)}) is larger than maxSessionTimeout (${said(max, maxSet, 20)}), which ZooKeeper refuses at start`,
    });
  }
  for (const key of ['initLimit', 'syncLimit', 'connectToLearnerMasterLimit']) {
    const limit = num(key) ?? Number(DEFAULT_TUNABLES[key] ?? 0);
    if (tick * limit > INT_MAX) out.push({ key, problem: `${key} × tickTime is ${tick * limit} ms, more than ZooKeeper can count (${INT_MAX} ms)` });
  }
  if (maxSet === undefined && tick * 20 > INT_MAX) out.push({ key: 'tickTime', problem: `the default maxSessionTimeout, 20 ticks of ${tick} ms, is more than ZooKeeper can count (${INT_MAX} ms); set a smaller tickTime` });
  const on = (key: string) => /^true$/i.test(config[key] ?? '');
  const sasl = 'quorum.auth.enableSasl';
  for (const key of ['quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl']) {
    if (on(key) && !on(sasl)) out.push({ key, problem: `${key}=true needs ${sasl}=true, or ZooKeeper refuses to start` });
  }
  if (on('quorum.auth.serverRequireSasl') && !on('quorum.auth.learnerRequireSasl')) {
    out.push({ key: 'quorum.auth.serverRequireSasl', problem: 'quorum.auth.serverRequireSasl=true needs quorum.auth.learnerRequireSasl=true, or ZooKeeper refuses to start' });
  }
  return out;
}
