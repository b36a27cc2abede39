/**
 * How a request for an existing ensemble compares with what it was made with (pure): a
 * different shape (server count, observers, version, ports, AdminServer, fault proxies) is
 * refused; different settings (extra zoo.cfg keys, heap, tick) need every running server
 * restarted to take effect; the same of both means a healthy ensemble has nothing to do.
 */
import { UsageError } from '../../errors.js';
import type { Request } from '../../options/options.js';
import type { EnsembleSpec } from '../../options/types.js';
import { describeVersions, ensembleVersions } from '../../options/member-versions.js';
import { DEFAULT_TUNABLES } from '../../zk/config/keys.js';

/** What differs in shape, each as "what it has, not what was asked". */
export function shapeDifferences(req: Request, spec: EnsembleSpec): string[] {
  const voters = spec.members.filter((m) => m.peerType === 'participant').length;
  const observers = spec.members.length - voters;
  const diffs: string[] = [];
  if (req.explicit.has('servers') && req.servers !== voters) diffs.push(`${voters} servers, not ${req.servers}`);
  if (req.explicit.has('observers') && req.observers !== observers) diffs.push(`${observers} observers, not ${req.observers}`);
  // A mixed ensemble (mid-upgrade) differs from any one version asked for.
  const versions = ensembleVersions(spec);
  if (req.explicit.has('zkVersion') && (versions.length > 1 || req.zkVersion?.text !== spec.zkVersion)) diffs.push(`ZooKeeper ${describeVersions(spec)}, not ${req.zkVersion?.text}`);
  if (req.explicit.has('ports') && req.ports !== spec.portScheme) diffs.push(`ports "${spec.portScheme}", not "${req.ports}"`);
  const hasAdmin = spec.members.some((m) => m.ports.admin !== undefined);
  if (req.explicit.has('adminPort') && !hasAdmin) diffs.push('the AdminServer off');
  if (req.explicit.has('faults') && req.faults !== !!spec.faults) diffs.push(spec.faults ? 'fault proxies' : 'no fault proxies');
  diffs.push(...securityDiffs(req, spec));
  return diffs;
}

/** Security is decided at creation (its keys and users are made then): asking for other settings is a change of shape. */
function securityDiffs(req: Request, spec: EnsembleSpec): string[] {
  const has = spec.security;
  const want = req.security;
  const out: string[] = [];
  // Only what was asked for is compared: `up --sasl` of a TLS ensemble says nothing about its TLS.
  if ((['tls', 'tlsOnly', 'tlsClientAuth'] as const).some((k) => req.explicit.has(k))) {
    if (!!want?.tls !== !!has?.tls) out.push(has?.tls ? 'TLS' : 'no TLS');
    else if (want?.tls && has?.tls && (want.tls.only !== has.tls.only || (req.explicit.has('tlsClientAuth') && want.tls.clientAuth !== has.tls.clientAuth))) {
      out.push(`TLS ${has.tls.only ? 'only' : 'beside the plain port'} with client auth "${has.tls.clientAuth}"`);
    }
  }
  if (req.explicit.has('sasl') && !!want?.sasl !== !!has?.sasl) out.push(has?.sasl ? 'SASL' : 'no SASL');
  return out;
}


/** A different shape for an existing ensemble is refused, naming what differs and how to proceed. */
export function assertSameShape(req: Request, spec: EnsembleSpec): void {
  const diffs = shapeDifferences(req, spec);
  if (diffs.length) {
    const upgrade = req.explicit.has('zkVersion') && req.zkVersion?.text !== spec.zkVersion ? ` To move it to ZooKeeper ${req.zkVersion?.text} server by server, keeping its data: \`zkpseudo upgrade ${req.zkVersion?.text} --name ${spec.name}\`.` : '';
    throw new UsageError(
      `Ensemble "${spec.name}" already exists with ${diffs.join(', ')}.`,
      `Run \`zkpseudo up --name ${spec.name}\` without those options to resume it, \`zkpseudo down --purge --name ${spec.name}\` to replace it, or use another --name.${upgrade}`,
    );
  }
}

/** The settings a resumed ensemble runs with: those asked for, else those it was made with. */
export function resumedSettings(req: Request, existing: EnsembleSpec): Pick<EnsembleSpec, 'heapMb' | 'config' | 'tickMs'> {
  const tickMs = req.explicit.has('tick') ? req.tickMs : existing.tickMs;
  return {
    heapMb: req.explicit.has('heap') ? req.heapMb : existing.heapMb,
    config: req.explicit.has('config') ? req.config : existing.config,
    ...(tickMs !== undefined ? { tickMs } : {}),
  };
}

/** `spec` with the settings `recorded` holds (heap, extra keys, tick): what running servers still run with. */
export function withSettingsOf(spec: EnsembleSpec, recorded: EnsembleSpec): EnsembleSpec {
  const { tickMs: _asked, ...rest } = spec;
  return { ...rest, heapMb: recorded.heapMb, config: recorded.config, ...(recorded.tickMs !== undefined ? { tickMs: recorded.tickMs } : {}) };
}

const effectiveTick = (s: Pick<EnsembleSpec, 'tickMs' | 'config'>) => Number(s.config.tickTime ?? s.tickMs ?? DEFAULT_TUNABLES.tickTime);

/**
 * The settings a server only reads when it starts that `req` changes, each as "what: old →
 * new" (empty when nothing would change): running servers must be restarted to apply them.
 */
export function settingChanges(req: Request, existing: EnsembleSpec): string[] {
  const next = resumedSettings(req, existing);
  const changes: string[] = [];
  if (next.heapMb !== existing.heapMb) changes.push(`heap ${existing.heapMb}m → ${next.heapMb}m`);
  if (effectiveTick(next) !== effectiveTick(existing)) changes.push(`tick ${effectiveTick(existing)}ms → ${effectiveTick(next)}ms`);
  for (const key of [...new Set([...Object.keys(existing.config), ...Object.keys(next.config)])].sort()) {
    if (key === 'tickTime') continue;
    const was = existing.config[key];
    const now = next.config[key];
    if (was !== now) changes.push(`${key} ${was ?? '(unset)'} → ${now ?? '(unset)'}`);
  }
  return changes;
}
