/**
 * `zkpseudo upgrade VERSION [--rolling]`: moves the ensemble to another release server by
 * server (ensemble/upgrade), printing a line per server as it goes. The first Ctrl-C (or
 * SIGTERM) lets the server in progress finish — it is never left stopped — and then stops with
 * the ensemble mixed and working (exit 130); a second one ends at once.
 */
import { UpgradeStoppedError, upgradeEnsemble, whoRunsWhat, type UpgradeEvent } from '../../ensemble/upgrade/upgrade.js';
import { memberVersion } from '../../options/member-versions.js';
import type { CommandContext } from '../context.js';
import { formatStatus, printJson } from '../output.js';
import { timeoutOption } from './servers.js';

export interface UpgradeFlags {
  rolling?: boolean;
  force?: boolean;
  mirror?: string;
  dist?: string;
  offline?: boolean;
  timeout?: string;
}

function describe(e: UpgradeEvent): string | undefined {
  switch (e.kind) {
    case 'dist': return `✓ get ZooKeeper     ${e.detail}`;
    case 'notice': return `! ${e.text}`;
    case 'download': return undefined;
    case 'server': {
      const head = `server ${e.id}`;
      switch (e.phase) {
        case 'stopping': return `… ${head} (${e.role}): stopping ${e.from}`;
        case 'starting': return `… ${head}: starting on ${e.to}, data kept`;
        case 'serving': return `✓ ${head}: ${e.from} → ${e.to}, ${e.role} again after ${((e.ms ?? 0) / 1000).toFixed(1)} s`;
        case 'moved': return `✓ ${head}: ${e.from} → ${e.to} (${e.detail})`;
        case 'rolled-back': return `✗ ${head}: back on ${e.from} (${e.detail})`;
      }
    }
  }
  return undefined;
}

export async function upgradeCommand(c: CommandContext, version: string, flags: UpgradeFlags): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(sig === 'SIGTERM' ? 143 : 130);
    if (!c.o.quiet && !c.o.json) c.o.err('! stopping after the server in progress (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const say = (e: UpgradeEvent) => {
    const line = describe(e);
    if (e.kind === 'notice') c.o.notices.push(e.text);
    if (line && !c.o.quiet && !c.o.json) c.o.out(line);
  };
  try {
    const r = await upgradeEnsemble(c.op, {
      version, timeoutMs: timeoutOption(flags.timeout), signal: controller.signal, onEvent: say, force: !!flags.force,
      ...(flags.mirror ? { mirror: flags.mirror } : c.env.ZKPSEUDO_MIRROR ? { mirror: c.env.ZKPSEUDO_MIRROR } : {}),
      ...(flags.dist ? { dist: flags.dist } : {}),
      ...(flags.offline || c.env.ZKPSEUDO_OFFLINE === '1' ? { offline: true } : {}),
    });
    const versions = Object.fromEntries(r.spec.members.map((m) => [m.id, memberVersion(r.spec, m)]));
    if (c.o.json) printJson(c.o, { name: c.name, zkVersion: r.spec.zkVersion, versions, moved: r.moved, already: r.already, leftStopped: r.leftStopped, ...(r.status ? { status: r.status } : {}) });
    else if (!c.o.quiet) {
      if (!r.moved.length) c.o.out(`ensemble "${c.name}": ${whoRunsWhat(r.spec)}; nothing to do`);
      else {
        if (r.status) c.o.out(formatStatus(r.status));
        c.o.out(`ensemble "${c.name}": ${whoRunsWhat(r.spec)}${r.leftStopped.length ? ` (server${r.leftStopped.length > 1 ? 's' : ''} ${r.leftStopped.join(', ')} stopped)` : ''}`);
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof UpgradeStoppedError && err.status && !c.o.json && !c.o.quiet) c.o.out(formatStatus(err.status));
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
