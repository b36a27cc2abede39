/** The tree operations' own error, apart from the client code so the library can export it without loading a client. */
import { ZkpseudoError } from '../../errors.js';

/** A reset (or a namespace's close, or seed --replace) left znodes in place: how many, the first few, and why. */
export class ResetIncompleteError extends ZkpseudoError {
  /** Each node left, with ZooKeeper's reason: NO_AUTH (an ACL, no super user) or NOT_EMPTY (children kept coming). */
  readonly refused: { path: string; code: string }[];
  constructor(target: { label: string; noSuper: string }, refused: { path: string; code: string }[], what: string) {
    const noAuth = refused.filter((r) => r.code === 'NO_AUTH').length;
    const shown = refused.slice(0, 5).map((r) => `${r.path} (${r.code})`).join(', ');
    super(
      `${what} of ${target.label} left ${refused.length} znode${refused.length === 1 ? '' : 's'} in place: ${shown}${refused.length > 5 ? ', …' : ''}.`,
      noAuth
        ? `Their ACLs forbid this client: ${target.noSuper}.`
        : 'Clients kept creating children under them; stop those clients (or close their sessions) and run it again.',
    );
    this.name = 'ResetIncompleteError';
    this.refused = refused;
  }
}
