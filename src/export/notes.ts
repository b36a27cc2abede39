/** The comment lines that name what did not carry over, shared by every target (pure). */
import type { ExportModel } from './model.js';

/** `Not carried over:` and one line per setting, then what the export chose, then the local-only settings; nothing when there are none. */
export function notCarriedLines(model: ExportModel): string[] {
  return [
    ...(model.notCarried.length ? ['Not carried over:', ...model.notCarried.map((n) => `  - ${n}`)] : []),
    ...model.chosen.map((n) => `Chosen: ${n}.`),
    ...(model.localOnly.length ? [`Settings for a local \`zkpseudo up\` only, not exported: ${model.localOnly.join(', ')}.`] : []),
  ];
}
