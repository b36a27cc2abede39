/** Everything that decides a server's zoo.cfg (pure: same input, same bytes). */
import Handlebars from 'handlebars';
import type { ZkVersion } from '../versions.js';
import { versionFacts } from '../version-facts.js';
import { DEFAULT_FOUR_LETTER_WORDS, DEFAULT_TUNABLES, FOUR_LETTER_WHITELIST_KEY } from './keys.js';
import type { Member, SecuritySpec } from '../../options/types.js';
import { escapePropertyValue as esc } from './properties.js';
import { plainClientPort, securityCfgLines } from './security-cfg.js';

export interface ZooCfgInput {
  ensemble: string;
  version: ZkVersion;
  self: Member;
  members: Member[];
  /** Absolute path of this server's data directory. */
  dataDir: string;
  /** Validated extra keys; those naming a tunable replace its default in place. */
  config: Record<string, string>;
  /** tickTime in ms, when not the default. */
  tickMs?: number;
  /**
   * The quorum and election ports this server dials for a peer, by peer id, where they are not
   * the peer's own: with fault proxies, the proxy ports of this server's link to that peer (so
   * the link can be cut or slowed). The server still binds its own real ports.
   */
  dials?: Record<number, { quorum: number; election: number }>;
  /** TLS and SASL, with this server's PEM key store and the ensemble's trust store. */
  security?: { spec: SecuritySpec; keyStore: string; trustStore: string };
}

interface KeyValue {
  key: string;
  value: string;
}

/**
 * The tunables every server gets, unescaped, in zoo.cfg's order: zkpseudo's defaults, the tick,
 * and the user's overrides in place. Shared with `export`, so an exported ensemble reads the
 * same values as the local one.
 */
export function tunableSettings(config: Record<string, string>, tickMs?: number): [key: string, value: string][] {
  const defaults = { ...DEFAULT_TUNABLES, ...(tickMs ? { tickTime: String(tickMs) } : {}) };
  return Object.entries(defaults).map(([key, value]) => [key, config[key] ?? value]);
}

/** The user's extra keys that are neither tunables nor the whitelist, unescaped, in the order given. */
export function extraSettings(config: Record<string, string>): [key: string, value: string][] {
  return Object.entries(config).filter(([key]) => !(key in DEFAULT_TUNABLES) && key !== FOUR_LETTER_WHITELIST_KEY);
}

/** The four-letter-word whitelist (3.5+): the user's, or every word. */
export function fourLetterWords(config: Record<string, string>): string {
  return config[FOUR_LETTER_WHITELIST_KEY] ?? DEFAULT_FOUR_LETTER_WORDS;
}

/** The template's view: the version decides the shape, the spec the values. */
export function zooCfgView(input: ZooCfgInput) {
  const facts = versionFacts(input.version);
  // Every value is escaped for java.util.Properties, so what the server reads is what was meant.
  const tunables: KeyValue[] = tunableSettings(input.config, input.tickMs).map(([key, value]) => ({ key, value: esc(value) }));
  const extra: KeyValue[] = extraSettings(input.config).map(([key, value]) => ({ key, value: esc(value) }));
  const quorum = input.members.length > 1;
  const sec = input.security;
  const security = sec ? securityCfgLines({ security: sec.spec, facts, self: input.self, keyStore: sec.keyStore, trustStore: sec.trustStore }) : [];
  // TLS only: no plain client port at all — neither clientPort nor the `;client` of server lines.
  const plain = plainClientPort(sec?.spec, input.self) !== undefined;
  return {
    id: input.self.id,
    // In a comment line; only a line break could hurt there, and names cannot hold one.
    ensemble: input.ensemble,
    version: input.version.text,
    peerLabel: input.self.peerType === 'observer' ? 'observer' : input.members.length > 1 ? 'participant' : 'standalone',
    tunables,
    dataDir: esc(input.dataDir),
    clientPort: plain ? input.self.ports.client : undefined,
    observer: input.self.peerType === 'observer',
    // One server runs standalone: no server lines, so every version agrees on the mode.
    servers: quorum
      ? input.members.map((m) => ({ id: m.id, observer: m.peerType === 'observer', ...m.ports, ...peerPorts(input, m) }))
      : [],
    serverLinesHaveClient: facts.serverLineHasClient && plain,
    adminServer: facts.adminServer,
    fourLetterWhitelist: facts.fourLetterWhitelist,
    adminPort: input.self.ports.admin,
    fourLetterWords: esc(fourLetterWords(input.config)),
    security: security.map(({ key, value }) => ({ key, value: esc(value) })),
    securityLabel: [sec?.spec.tls ? (sec.spec.tls.only ? 'TLS only' : 'TLS') : '', sec?.spec.sasl ? 'SASL' : ''].filter(Boolean).join(' and '),
    extra,
  };
}

/** The quorum and election ports this server dials for member `m`: a fault proxy's, or m's own. */
function peerPorts(input: ZooCfgInput, m: Member): { quorum: number; election: number } {
  const dial = m.id !== input.self.id ? input.dials?.[m.id] : undefined;
  return dial ?? { quorum: m.ports.quorum, election: m.ports.election };
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Renders zoo.cfg from the template text (templates/zoo.cfg.hbs). */
export function renderZooCfg(template: string, input: ZooCfgInput): string {
  let render = compiled.get(template);
  if (!render) {
    render = Handlebars.compile(template, { noEscape: true, strict: false });
    compiled.set(template, render);
  }
  return render(zooCfgView(input));
}
