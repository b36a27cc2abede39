/**
 * `--connect` on a client command: which ensemble it acts on. Every client command (`status`,
 * `wait`, `check`, `dump`, `seed`, `reset`) adds the option with `withConnect` in program.ts
 * and calls `commandTarget`; the rest of its code is the same for a local ensemble and for any
 * ensemble by its connect string.
 */
import { connectCredentials } from '../ensemble/remote/credentials.js';
import { remoteTarget } from '../ensemble/remote/target.js';
import type { RemoteStatus } from '../ensemble/remote/probe.js';
import { localTarget, type Target } from '../ensemble/observe/target.js';
import type { EnsembleStatus } from '../ensemble/observe/probe.js';
import { readSpec } from '../ensemble/store/spec-file.js';
import { UsageError } from '../errors.js';
import type { EnsembleSpec } from '../options/types.js';
import { parseConnectString } from '../zk/connect-string.js';
import type { CommandContext } from './context.js';

/** What commander gives for `--connect`: absent, given without a value ($ZK_CONNECT), or a connect string. */
export type ConnectOption = string | true | undefined;

/** `--connect` and what a session on that ensemble presents: `--tls`, `--sasl` (from $ZK_TLS_*, $ZK_SASL_*). */
export interface ConnectFlags {
  connect?: ConnectOption;
  tls?: boolean;
  sasl?: boolean;
}

/** A local ensemble or any by its connect string; a status tells which (a local one has a `name`). */
export type AnyTarget = Target<EnsembleStatus | RemoteStatus>;

/**
 * The ensemble a client command acts on: by `--connect` (without a value, $ZK_CONNECT), else
 * the local one. $ZK_CONNECT is read only when --connect asks for it: `zkpseudo env` exports
 * it for a local ensemble, and a variable left in a shell must not change what `status` reads.
 * `loadSpec` replaces reading the local ensemble's spec (status names orphaned servers).
 */
export async function commandTarget(c: CommandContext, flags: ConnectFlags, loadSpec: () => Promise<EnsembleSpec> = () => readSpec(c.paths)): Promise<AnyTarget> {
  const { connect } = flags;
  if (connect === undefined) {
    if (flags.tls || flags.sasl) {
      throw new UsageError(`${flags.tls ? '--tls' : '--sasl'} goes with --connect: a local ensemble's own TLS and SASL settings are used already.`, 'Leave it out for a local ensemble (--name), or give --connect HOST:PORT,… for another.');
    }
    return localTarget(c.paths, await loadSpec());
  }
  if (c.nameFlag) throw new UsageError('--connect and --name both say which ensemble to use.', 'Give one: --name for a local ensemble, --connect for any ensemble by its connect string.');
  const text = connect === true ? c.env.ZK_CONNECT : connect;
  if (text === undefined || text.trim() === '') {
    throw new UsageError('--connect was given without a connect string, and $ZK_CONNECT is not set.', 'Give the servers, like --connect 10.0.0.1:2181,10.0.0.2:2181, or set ZK_CONNECT.');
  }
  const cs = parseConnectString(text);
  if (typeof cs === 'string') {
    throw new UsageError(`${connect === true ? '$ZK_CONNECT' : '--connect'} "${text}" is not a connect string: ${cs}.`, 'Write it like host1:2181,host2:2181,host3:2181 (the port defaults to 2181; a /chroot may follow).');
  }
  return remoteTarget(cs, await connectCredentials(c.env, flags));
}
