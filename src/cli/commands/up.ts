/** `zkpseudo up [N]`: create or resume an ensemble and wait for a healthy quorum. */
import { connectString } from '../../ensemble/observe/probe.js';
import { reuseHealthy } from '../../ensemble/lifecycle/reuse.js';
import { secureConnectString } from '../../ensemble/security/endpoints.js';
import { InterruptedError, UsageError } from '../../errors.js';
import type { EnsembleOptions } from '../../options/types.js';
import type { UpEvent } from '../../ensemble/lifecycle/up-run.js';
import type { UpDisplay } from '../progress.js';
import type { CommandContext } from '../context.js';
import { ensembleFilePath } from '../ensemble-file.js';
import { formatStatus, printJson } from '../output.js';
import { upJson } from '../json.js';

/** Flags as commander parsed them → options as written (only those given, so a file's stay). */
export function flagsToOptions(servers: number | undefined, o: Record<string, unknown>): EnsembleOptions {
  return {
    ...(servers !== undefined ? { servers } : {}),
    ...(o.zkVersion ? { zkVersion: o.zkVersion as string } : {}),
    ...(o.observers !== undefined ? { observers: o.observers as number } : {}),
    ...(o.basePort !== undefined ? { ports: o.basePort as number } : o.ports ? { ports: o.ports as 'auto' } : {}),
    ...(o.adminPort !== undefined ? { adminPort: o.adminPort as 'auto' | number } : {}),
    ...(o.heap ? { heap: o.heap as string } : {}),
    ...(o.dist ? { dist: o.dist as string } : {}),
    ...(o.mirror ? { mirror: o.mirror as string } : {}),
    ...(o.timeout ? { timeout: o.timeout as string } : {}),
    ...(o.config ? { config: o.config as Record<string, string> } : {}),
    ...(o.owner !== undefined ? { owner: o.owner as number } : {}),
    ...(o.offline ? { offline: true } : {}),
    ...(o.faults ? { faults: true } : {}),
    ...(o.tick ? { tick: o.tick as string } : {}),
    ...(o.wait === false ? { wait: false } : {}),
    ...(o.tls ? { tls: true } : {}),
    ...(o.tlsOnly ? { tlsOnly: true } : {}),
    ...(o.tlsClientAuth ? { tlsClientAuth: o.tlsClientAuth as 'need' } : {}),
    ...(o.sasl ? { sasl: true } : {}),
  };
}

export async function upCommand(c: CommandContext, file: string | undefined, flags: EnsembleOptions, seedFile?: string): Promise<number> {
  // A seed file is judged before anything starts; seeding needs the quorum up waits for.
  if (seedFile !== undefined && flags.wait === false) throw new UsageError('--seed needs a serving quorum, so it cannot go with --no-wait.', 'Leave out --no-wait, or run `zkpseudo seed FILE` once the ensemble serves.');
  const seedNodes = seedFile === undefined ? undefined : await (await import('../../ensemble/tree/seed.js')).loadTreeFile(seedFile);
  const found = await ensembleFilePath(file);
  const fromFile = found ? await (await import('../../options/file.js')).loadEnsembleFile(found, c.env) : {};
  const options: EnsembleOptions = { ...fromFile, ...flags };
  const name = c.nameGiven ? c.name : (fromFile.name ?? c.name);
  // Redraw in place only on a real terminal of some size; CI logs and dumb terminals get plain lines.
  const tty = !!process.stderr.isTTY && !c.env.CI && c.env.TERM !== 'dumb' && (process.stderr.rows ?? 0) > 0;
  const quiet = c.o.quiet || c.o.json;
  // Modules are loaded only when used: an `up` of a healthy ensemble must cost what `status` costs.
  const display: UpDisplay = quiet ? { onEvent() {}, finish() {} } : await (await import('../progress.js')).createUpDisplay({ tty, write: (l) => c.o.err(l) });
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled = sig;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const ctx = {
      env: c.env,
      signal: controller.signal,
      onEvent: (e: UpEvent) => {
        if (e.kind === 'notice') c.o.notices.push(e.text);
        if (!quiet) display.onEvent(e);
      },
    };
    const asked = { ...options, name, home: c.home };
    // An ensemble already healthy as asked is proven with one probe, at the speed of `status`;
    // the full `up` (and the modules it needs) is loaded only when that says no.
    const result = (await reuseHealthy(asked, ctx)) ?? (await (await import('../../ensemble/lifecycle/up.js')).upEnsemble(asked, ctx));
    if (!quiet) display.finish();
    if (!c.o.json && !c.o.quiet && result.status) c.o.out(formatStatus(result.status));
    // A seed that fails leaves the ensemble running (exit 2); `zkpseudo seed` can try again.
    const seeded = seedNodes && seedFile !== undefined
      ? await (await import('./tree.js')).seedAndSay(c, await (await import('../../ensemble/tree/target.js')).ensembleTarget(result.paths, result.spec), seedFile, seedNodes, false)
      : undefined;
    if (c.o.json) printJson(c.o, { ...upJson(result), ...(seeded ? { seed: seeded } : {}) });
    else if (!c.o.quiet) {
      c.o.out(`ZK_CONNECT=${connectString(result.spec)}`);
      // A secured ensemble: the TLS connect string too; `zkpseudo env` has the rest a client needs.
      const secure = secureConnectString(result.spec);
      if (secure) c.o.out(`ZK_SECURE_CONNECT=${secure}`);
    }
    return 0;
  } catch (err) {
    if (!quiet) display.finish();
    const { HealthTimeoutError } = await import('../../ensemble/observe/wait-healthy.js');
    if (err instanceof HealthTimeoutError && !c.o.quiet) {
      c.o.err(formatStatus(err.status));
      // A cause named in words needs no stack-trace tail; `zkpseudo logs ID` has the rest.
      if (!err.diagnosis) for (const [id, tail] of Object.entries(err.logTails)) if (tail) c.o.err(`--- server ${id}, last log lines ---\n${tail}`);
    }
    if (err instanceof InterruptedError && signalled === 'SIGTERM') throw Object.assign(err, { exitCode: 143 });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
