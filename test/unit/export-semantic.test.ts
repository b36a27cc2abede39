/**
 * An exported ensemble runs the same ZooKeeper as the local one: for every server, the zoo.cfg
 * the official image's entrypoint writes from the exported environment (after the engine's own
 * `$` rules, and — on Kubernetes — the pod's start command run for real in bash) has the same
 * server lines, peer types, limits and keys as zkpseudo's own rendering, and the same myid.
 * What may differ is named in test/helpers/export-checks.ts, each with the reason.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportEnsemble, type ExportTarget } from '../../src/export/export.js';
import type { EnsembleOptions } from '../../src/options/types.js';
import { MORE_ENSEMBLES, SECURED_ENSEMBLES, shippedEnsembles, specOf } from '../helpers/export-cases.js';
import { expectSameEnsemble } from '../helpers/export-checks.js';

// The secured ones compare their security keys too: the same keys and values, paths at the engine's mounts (export-checks.ts).
const cases: Record<string, EnsembleOptions> = { ...shippedEnsembles(), ...MORE_ENSEMBLES, ...SECURED_ENSEMBLES };

describe.each<ExportTarget>(['compose', 'kubernetes'])('export %s: each server\'s zoo.cfg is zkpseudo\'s own', (target) => {
  for (const [name, opts] of Object.entries(cases)) {
    it(name, () => expectSameEnsemble(target, opts));
  }

  it('an existing ensemble\'s recorded spec exports the same as its options', () => {
    for (const opts of Object.values(cases)) {
      const fromSpec = exportEnsemble(specOf(opts), target).text;
      const fromOptions = exportEnsemble(opts, target).text;
      // Only the comments may differ (a recorded spec has a pinned version and no local-only settings).
      const body = (t: string) => YAML.parseAllDocuments(t).map((d) => JSON.stringify(d.toJS()));
      if (opts.zkVersion !== undefined) expect(body(fromSpec)).toEqual(body(fromOptions));
    }
  });
});
