/**
 * Exported documents as YAML text, with the comments that say why (pure). Same documents, same
 * bytes: no dates, no paths of this machine.
 */
import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { MODULE_PATH } from '../edge/fs/module-path.js';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;
/** The YAML library, loaded at the first render (synchronously): `import 'zkpseudo'` does not pay its ~80 ms. Resolved from this module's own file, in either build (edge/fs/module-path). */
const yaml = (): Yaml => (loaded ??= createRequire(MODULE_PATH)('yaml') as Yaml);

/** A comment on one key of a document, at a path of keys (list positions as numbers). */
export interface KeyComment {
  path: (string | number)[];
  text: string;
}

export interface CommentedDocument {
  value: object;
  /** Lines printed before the document. */
  header?: string[];
  comments?: KeyComment[];
}

/** Puts `text` on the line(s) before the key at `path`; throws for a path that is not there (a renderer's bug). */
function commentKey(doc: Document, path: (string | number)[], text: string): void {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const key = path[path.length - 1];
  const { isMap, isPair, isScalar } = yaml();
  const pair = isMap(parent) ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) : undefined;
  if (!pair || !isScalar(pair.key)) throw new Error(`no key ${path.join('.')} to comment`);
  (pair.key as Node).commentBefore = text.split('\n').map((l) => ` ${l}`).join('\n');
}

/** One document's text: its header as `#` lines, then the YAML, long strings never folded. */
export function renderDocument(d: CommentedDocument): string {
  // Shared objects (one label map used in several places) are written out each time, never as &anchors.
  const doc = new (yaml().Document)(d.value, { aliasDuplicateObjects: false });
  if (d.header?.length) doc.commentBefore = d.header.map((l) => ` ${l}`).join('\n');
  for (const c of d.comments ?? []) commentKey(doc, c.path, c.text);
  return doc.toString({ lineWidth: 0 });
}

/** Several documents as one multi-document YAML stream. */
export function renderStream(docs: CommentedDocument[]): string {
  return docs.map((d, i) => (i === 0 ? '' : '---\n') + renderDocument(d)).join('');
}
