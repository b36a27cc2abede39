/** Which zoo.cfg keys zkpseudo writes itself, and the defaults a user may override (pure). */

/**
 * The four-letter words whitelisted on 3.5+ (3.5.3+ allows only srvr by default): all of them,
 * since every listener binds 127.0.0.1 and the tools people point at a test ensemble need
 * more than status does (zktop polls `stat`, kazoo's server_version() sends `envi`, and
 * `cons`/`dump`/`wchs` show sessions, ephemerals and watches). `--config
 * 4lw.commands.whitelist=…` narrows it; it must keep `srvr`, which status needs.
 */
export const DEFAULT_FOUR_LETTER_WORDS = '*';
export const FOUR_LETTER_WHITELIST_KEY = '4lw.commands.whitelist';

/**
 * Defaults for keys a user may override through `config`. maxClientCnxns is raised because
 * every test client comes from 127.0.0.1 and the default limit is 60 per IP.
 */
export const DEFAULT_TUNABLES: Readonly<Record<string, string>> = {
  tickTime: '2000',
  initLimit: '10',
  syncLimit: '5',
  maxClientCnxns: '1000',
};

const MANAGED_KEYS = new Set([
  'dataDir', 'dataLogDir', 'clientPort', 'clientPortAddress', 'secureClientPort', 'peerType',
  'admin.enableServer', 'admin.serverAddress', 'admin.serverPort',
  'dynamicConfigFile', 'reconfigEnabled', 'standaloneEnabled', 'myid',
  // The ensemble's super user, which reset, seed and dump act as.
  'DigestAuthenticationProvider.superDigest',
]);

/** Keys zkpseudo writes itself; a user setting them would break the ensemble's layout or ports. */
export function isManagedKey(key: string): boolean {
  return MANAGED_KEYS.has(key) || /^server\.\d+$/.test(key) || /^group\.\d+$/.test(key) || /^weight\.\d+$/.test(key);
}
