/** Everything that decides a server's zoo.cfg (pure: same input, same bytes). */
import Handlebars from 'handlebars';
import { atLeast, type ZkVersion } from './versions.js';
import { DEFAULT_TUNABLES, STATUS_FOUR_LETTER_WORDS } from './keys.js';
import type { Member } from '../options/types.js';
import { escapePropertyValue as esc } from './properties.js';

export interface ZooCfgInput {
  ensemble: string;
  version: ZkVersion;
  self: Member;
  members: Member[];
  /** Absolute path of this server's data directory. */
  dataDir: string;
  /** Validated extra keys; those naming a tunable replace its default in place. */
  config: Record<string, string>;
}

interface KeyValue {
  key: string;
  value: string;
}

/** The template's view: the version decides the shape, the spec the values. */
export function zooCfgView(input: ZooCfgInput) {
  const modern = atLeast(input.version, 3, 5, 0);
  // Every value is escaped for java.util.Properties, so what the server reads is what was meant.
  const tunables: KeyValue[] = Object.entries(DEFAULT_TUNABLES).map(([key, value]) => ({ key, value: esc(input.config[key] ?? value) }));
  const extra: KeyValue[] = Object.entries(input.config)
    .filter(([key]) => !(key in DEFAULT_TUNABLES))
    .map(([key, value]) => ({ key, value: esc(value) }));
  const quorum = input.members.length > 1;
  return {
    id: input.self.id,
    // In a comment line; only a line break could hurt there, and names cannot hold one.
    ensemble: input.ensemble,
    version: input.version.text,
    peerLabel: input.self.peerType === 'observer' ? 'observer' : input.members.length > 1 ? 'participant' : 'standalone',
    tunables,
    dataDir: esc(input.dataDir),
    clientPort: input.self.ports.client,
    observer: input.self.peerType === 'observer',
    // One server runs standalone: no server lines, so every version agrees on the mode.
    servers: quorum
      ? input.members.map((m) => ({ id: m.id, observer: m.peerType === 'observer', ...m.ports }))
      : [],
    serverLinesHaveClient: modern,
    modern,
    adminPort: input.self.ports.admin,
    fourLetterWords: STATUS_FOUR_LETTER_WORDS.join(','),
    extra,
  };
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
