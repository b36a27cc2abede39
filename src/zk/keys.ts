/** Which zoo.cfg keys zkpseudo writes itself, and the defaults a user may override (pure). */

/** The four-letter words `status` and `check` use, whitelisted on 3.5+ (3.5.3+ allows only srvr by default). */
export const STATUS_FOUR_LETTER_WORDS = ['srvr', 'mntr', 'ruok', 'conf', 'isro'];

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
  'admin.enableServer', 'admin.serverAddress', 'admin.serverPort', '4lw.commands.whitelist',
  'dynamicConfigFile', 'reconfigEnabled', 'standaloneEnabled', 'myid',
]);

/** Keys zkpseudo writes itself; a user setting them would break the ensemble's layout or ports. */
export function isManagedKey(key: string): boolean {
  return MANAGED_KEYS.has(key) || /^server\.\d+$/.test(key) || /^group\.\d+$/.test(key) || /^weight\.\d+$/.test(key);
}
