/**
 * What a client command presents to an ensemble reached by `--connect` when asked to with
 * `--tls` and `--sasl`: zkpseudo knows no keys or users of an ensemble it did not make, so they
 * come from the variables `zkpseudo env` exports (and a user sets the same way for any other
 * ensemble) — read only when the flag asks, as `--connect` reads $ZK_CONNECT. A password never
 * goes on a command line, where `ps` shows it.
 */
import { readUserText } from '../../edge/fs/user-file.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import type { ClientSecurity } from '../security/client.js';

export interface CredentialFlags {
  tls?: boolean;
  sasl?: boolean;
}

const CERT = /-----BEGIN CERTIFICATE-----/;
const KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

const ENV_HINT = 'For an ensemble of this machine, `eval "$(zkpseudo env --name NAME)"` sets them; for another, export the paths and user its operators give you.';

/** The most a certificate or key file may hold: a chain of a few certificates is a few KiB. */
const MAX_BYTES = 1024 * 1024;

/** A PEM file a variable names, read as every user-named file is (bounded, strict UTF-8); a missing, unreadable or non-PEM one is named with its variable. */
async function fileOf(env: NodeJS.ProcessEnv, variable: string, what: string, block: RegExp): Promise<string> {
  const file = env[variable]!;
  const fail = (why: string) => new ZkpseudoError(`--tls: $${variable} names ${file}, which ${why}; it should hold ${what}.`, `Point $${variable} at the file. ${ENV_HINT}`);
  const read = await readUserText(file, MAX_BYTES);
  if ('problem' in read) throw fail(read.problem.replace(/^it /, ''));
  if (!block.test(read.text)) throw fail('holds no PEM block of that kind');
  return read.text;
}

const set = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? '').trim() !== '';

/**
 * The TLS material and SASL user `flags` ask for, from `env`: `--tls` takes $ZK_TLS_CA (PEM,
 * required) and $ZK_TLS_CERT with $ZK_TLS_KEY (both or neither: servers that need a client
 * certificate refuse a client without one); `--sasl` takes $ZK_SASL_USER and $ZK_SASL_PASSWORD.
 */
export async function connectCredentials(env: NodeJS.ProcessEnv, flags: CredentialFlags): Promise<ClientSecurity> {
  const out: ClientSecurity = {};
  if (flags.tls) {
    if (!set(env, 'ZK_TLS_CA')) throw new UsageError('--tls needs $ZK_TLS_CA: the PEM file of the CA the servers\' certificates are signed by.', ENV_HINT);
    if (set(env, 'ZK_TLS_CERT') !== set(env, 'ZK_TLS_KEY')) {
      const [has, lacks] = set(env, 'ZK_TLS_CERT') ? ['ZK_TLS_CERT', 'ZK_TLS_KEY'] : ['ZK_TLS_KEY', 'ZK_TLS_CERT'];
      throw new UsageError(`--tls: $${has} is set but $${lacks} is not; a client certificate needs both (its PEM certificate and its PKCS#8 key).`, `Set both, or neither for servers that do not ask for a client certificate. ${ENV_HINT}`);
    }
    const ca = await fileOf(env, 'ZK_TLS_CA', 'the CA certificate (PEM)', CERT);
    out.tls = set(env, 'ZK_TLS_CERT')
      ? { ca, cert: await fileOf(env, 'ZK_TLS_CERT', 'the client certificate (PEM)', CERT), key: await fileOf(env, 'ZK_TLS_KEY', 'the client\'s private key (PEM)', KEY) }
      : { ca };
  }
  if (flags.sasl) {
    const missing = ['ZK_SASL_USER', 'ZK_SASL_PASSWORD'].filter((v) => !set(env, v));
    if (missing.length) throw new UsageError(`--sasl needs ${missing.map((v) => `$${v}`).join(' and ')}: the SASL (DIGEST-MD5) user and password to log in with.`, ENV_HINT);
    out.sasl = { user: env.ZK_SASL_USER!.trim(), password: env.ZK_SASL_PASSWORD! };
  }
  return out;
}
