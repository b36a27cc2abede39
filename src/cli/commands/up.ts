/** `zkpseudo up [N]`: create or resume an ensemble and wait for a healthy quorum. */
import { connectString } from '../../ensemble/observe/probe.js';
import { secureConnectString } from '../../ensemble/security/endpoints.js';
import { upEnsemble } from '../../ensemble/lifecycle/up.js';
import { HealthTimeoutError } from '../../ensemble/observe/wait-healthy.js';
import { InterruptedError } from '../../errors.js';
import type { EnsembleOptions } from '../../options/types.js';
import type { CommandContext } from '../context.js';
import { ensembleFilePath } from '../ensemble-file.js';
import { formatStatus, printJson } from '../output.js';
import { createUpDisplay } from '../progress.js';
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

export async function upCommand(c: CommandContext, file: string | undefined, flags: EnsembleOptions): Promise<number> {
  const found = await ensembleFilePath(file);
  const fromFile = found ? await (await import('../../options/file.js')).loadEnsembleFile(found, c.env) : {};
  const options: EnsembleOptions = { ...fromFile, ...flags };
  const name = c.nameGiven ? c.name : (fromFile.name ?? c.name);
  // Redraw in place only on a real terminal of some size; CI logs and dumb terminals get plain lines.
  const tty = !!process.stderr.isTTY && !c.env.CI && c.env.TERM !== 'dumb' && (process.stderr.rows ?? 0) > 0;
  const display = await createUpDisplay({ tty, write: (l) => c.o.err(l) });
  const quiet = c.o.quiet || c.o.json;
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled = sig;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await upEnsemble({ ...options, name, home: c.home }, {
      env: c.env,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'notice') c.o.notices.push(e.text);
        if (!quiet) display.onEvent(e);
      },
    });
    if (!quiet) display.finish();
    if (c.o.json) printJson(c.o, upJson(result));
    else if (!c.o.quiet) {
      if (result.status) c.o.out(formatStatus(result.status));
      c.o.out(`ZK_CONNECT=${connectString(result.spec)}`);
      // A secured ensemble: the TLS connect string too; `zkpseudo env` has the rest a client needs.
      const secure = secureConnectString(result.spec);
      if (secure) c.o.out(`ZK_SECURE_CONNECT=${secure}`);
    }
    return 0;
  } catch (err) {
    if (!quiet) display.finish();
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
