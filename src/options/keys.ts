/**
 * The option keys every entry point accepts, and what each value must be (pure). Ensemble
 * files, `up()`'s arguments and the CLI flags share them, so the library checks its caller
 * exactly as strictly as a file is checked.
 */
import { closest, distance } from 'fastest-levenshtein';

export type Kind = 'string' | 'integer' | 'boolean' | 'ports' | 'adminPort' | 'duration' | 'map' | 'clientAuth';

/** Keys an ensemble file may hold. */
export const FILE_KEYS: Readonly<Record<string, Kind>> = {
  name: 'string', zkVersion: 'string', servers: 'integer', observers: 'integer', ports: 'ports',
  adminPort: 'adminPort', dist: 'string', mirror: 'string', heap: 'string', timeout: 'duration', config: 'map',
  offline: 'boolean', faults: 'boolean', tick: 'duration',
  tls: 'boolean', tlsOnly: 'boolean', tlsClientAuth: 'clientAuth', sasl: 'boolean',
};

/** Keys `up()` accepts besides the file's: where, whether to wait, and whose life the servers share. */
export const API_KEYS: Readonly<Record<string, Kind>> = { ...FILE_KEYS, home: 'string', wait: 'boolean', owner: 'integer' };

/** What is wrong with a value of the given kind, or undefined. */
export function typeIssue(key: string, kind: Kind, value: unknown): string | undefined {
  const shown = JSON.stringify(value) ?? String(value);
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : `${shown} must be text${key === 'zkVersion' ? ' (quote it: zkVersion: "3.8.4")' : ''}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${shown} is not a whole number`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${shown} is not true or false`;
    case 'ports':
      return value === 'auto' || value === 'classic' || Number.isInteger(value) ? undefined : `${shown} is not "auto", "classic" or a base port number`;
    case 'adminPort':
      return value === 'auto' || Number.isInteger(value) ? undefined : `${shown} is not "auto" or a port number`;
    case 'duration':
      return typeof value === 'string' || typeof value === 'number' ? undefined : `${shown} is not a duration like 60s`;
    case 'clientAuth':
      return value === 'need' || value === 'want' || value === 'none' ? undefined : `${shown} is not "need", "want" or "none"`;
    case 'map':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : `${shown} is not a mapping of zoo.cfg keys to values`;
  }
}

/** ` (did you mean "servers"?)` for a near miss among `known`, else "". */
export function suggestion(key: string, known: readonly string[]): string {
  const near = closest(key, [...known]);
  return distance(key, near) <= 3 ? ` (did you mean "${near}"?)` : '';
}
