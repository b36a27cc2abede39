/**
 * Ensemble files (ensembles/*.yaml): the same keys as `up`'s options, checked strictly —
 * unknown keys, wrong types and bad values are all reported at once as `file:line: key: message`.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Node, type Pair } from 'yaml';
import { readUserText } from '../edge/fs/user-file.js';
import { UsageError } from '../errors.js';
import { checkOptions, type Issue } from './options.js';
import type { EnsembleOptions } from './types.js';
import { FILE_KEYS, suggestion, typeIssue } from './keys.js';

export { FILE_KEYS };

interface Located extends Issue {
  line?: number;
}

/** Parses and checks a file's text; `file` is only used in messages. Throws one UsageError naming every problem. */
export function parseEnsembleFile(text: string, file: string, env: NodeJS.ProcessEnv = {}): EnsembleOptions {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const issues: Located[] = [];
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  const keyLines = new Map<string, number | undefined>();

  for (const e of doc.errors) issues.push({ key: 'yaml', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0]?.line });
  const opts: Record<string, unknown> = {};
  if (!doc.errors.length) {
    if (doc.contents === null) {
      // An empty file means "all defaults".
    } else if (!isMap(doc.contents)) {
      issues.push({ key: 'file', message: 'must be a mapping of keys such as servers: 3', line: lineOf(doc.contents as Node) });
    } else {
      for (const pair of doc.contents.items as Pair<Node, Node>[]) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const line = lineOf(pair.key);
        keyLines.set(key, line);
        const kind = FILE_KEYS[key];
        if (!kind) {
          issues.push({ key, message: `is not a known key${suggestion(key, Object.keys(FILE_KEYS))}; known keys: ${Object.keys(FILE_KEYS).join(', ')}`, line });
          continue;
        }
        const value = pair.value?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : null);
        // A bare number in a file read as seconds once; in code it is milliseconds. Asking for
        // the unit keeps an old file from silently timing out 1000 times sooner.
        const bad = typeIssue(key, kind, value) ?? (key === 'timeout' && typeof value === 'number' ? `${value} has no unit: write ${value}s (or ${value}ms)` : undefined);
        if (bad) issues.push({ key, message: bad, line: lineOf(pair.value) ?? line });
        else opts[key] = value;
        if (key === 'config' && isMap(pair.value)) {
          for (const c of pair.value.items as Pair<Node, Node>[]) {
            const ck = isScalar(c.key) ? String(c.key.value) : String(c.key);
            keyLines.set(`config.${ck}`, lineOf(c.key));
            const cv = isScalar(c.value) ? c.value.value : undefined;
            if (!['string', 'number', 'boolean'].includes(typeof cv)) issues.push({ key: `config.${ck}`, message: 'must be a single value', line: lineOf(c.key) });
          }
        }
      }
    }
  }
  // Values are checked even when other keys were refused, so one run reports every problem.
  if (!doc.errors.length) {
    for (const i of checkOptions(opts as EnsembleOptions, env).issues) issues.push({ ...i, line: keyLines.get(i.key) ?? keyLines.get(i.key.split('.')[0]!) });
  }
  if (issues.length) {
    const where = (i: Located) => `${file}${i.line ? `:${i.line}` : ''}: ${i.key}: ${i.message}`;
    throw new UsageError(
      issues.length === 1 ? `${where(issues[0]!)}.` : `${file} has ${issues.length} problems:\n  ${issues.map(where).join('\n  ')}`,
      `Fix the file; its keys are ${Object.keys(FILE_KEYS).join(', ')} (the README's "Ensemble files" shows each).`,
    );
  }
  return opts as EnsembleOptions;
}

/** An ensemble file is a few lines of YAML; a mebibyte is far more than any needs. */
const MAX_ENSEMBLE_FILE_BYTES = 1024 * 1024;

/** Reads and checks an ensemble file. */
export async function loadEnsembleFile(file: string, env: NodeJS.ProcessEnv = {}): Promise<EnsembleOptions> {
  const read = await readUserText(file, MAX_ENSEMBLE_FILE_BYTES);
  if ('problem' in read) throw new UsageError(`Cannot read the ensemble file ${file}: ${read.problem}.`, 'Check the path given to -f.');
  return parseEnsembleFile(read.text, file, env);
}
