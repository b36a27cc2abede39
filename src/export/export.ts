/**
 * `exportEnsemble(spec, target)`: the ensemble tested locally, as a Compose file or as
 * Kubernetes objects for the official `zookeeper` image (pure: no file is read or written).
 */
import type { EnsembleOptions, EnsembleSpec } from '../options/types.js';
import { UsageError } from '../errors.js';
import { composeDocument } from './compose.js';
import { kubernetesDocuments } from './kubernetes.js';
import { EXPORT_TARGETS, exportModel, type ExportTarget } from './model.js';
import { renderDocument, renderStream } from './render.js';

export type { ExportTarget } from './model.js';

export interface ExportResult {
  target: ExportTarget;
  /** The YAML text: one Compose file, or one multi-document stream of Kubernetes objects. */
  text: string;
  /** The documents as plain objects, in the order of the text. */
  documents: object[];
  /** What did not carry over, one sentence each (also written as comments in the text). */
  notCarried: string[];
  /** What the export decided where the spec did not say, such as an unpinned version (also in the comments). */
  chosen: string[];
}

export interface ExportOptions {
  /** The pid of a live owner lease on the ensemble (a recorded spec does not carry it), so it is named as not carried over. */
  owner?: number;
}

/**
 * Renders `spec` — an existing ensemble's recorded spec, or options as an ensemble file or
 * `up()` takes them — for `target`. A spec no engine could run (3.4, a tick that is not a
 * number, any invalid option) is refused with a UsageError naming every
 * problem, before anything is rendered.
 */
export function exportEnsemble(spec: EnsembleOptions | EnsembleSpec, target: ExportTarget, opts: ExportOptions = {}): ExportResult {
  if (!EXPORT_TARGETS.includes(target)) {
    throw new UsageError(`export: "${String(target)}" is not a target.`, `Use one of ${EXPORT_TARGETS.join(', ')}.`);
  }
  const model = exportModel(spec, opts.owner);
  if (target === 'compose') {
    const doc = composeDocument(model);
    return { target, text: renderDocument(doc), documents: [doc.value], notCarried: model.notCarried, chosen: model.chosen };
  }
  const docs = kubernetesDocuments(model);
  return { target, text: renderStream(docs), documents: docs.map((d) => d.value), notCarried: model.notCarried, chosen: model.chosen };
}
