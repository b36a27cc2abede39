/**
 * Exports compared byte for byte with committed files, so a change to what users get is seen in
 * review. After an intended change, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden`
 * and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportEnsemble, type ExportTarget } from '../../src/export/export.js';
import { parseEnsembleFile } from '../../src/options/file.js';

const file = 'three-plus-observer.yaml';
const opts = { ...parseEnsembleFile(readFileSync(new URL(`../../ensembles/${file}`, import.meta.url), 'utf8'), file), zkVersion: '3.8.0' };

describe('export golden files', () => {
  for (const target of ['compose', 'kubernetes'] as ExportTarget[]) {
    it(`${file} (zkVersion 3.8.0) as ${target}`, () => {
      const golden = new URL(`./export-three-plus-observer.${target}.yaml`, import.meta.url);
      const { text } = exportEnsemble(opts, target);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      expect(existsSync(golden), 'missing golden file: run with UPDATE_GOLDEN=1').toBe(true);
      expect(text).toBe(readFileSync(golden, 'utf8'));
    });
  }
  // A secured ensemble (`up --tls-only --sasl`): its secrets, mounts, probes and security keys in review too.
  const secured = { name: 'secure', servers: 3, zkVersion: '3.9.3', tlsOnly: true, sasl: true };
  for (const target of ['compose', 'kubernetes'] as ExportTarget[]) {
    it(`a --tls-only --sasl ensemble (zkVersion 3.9.3) as ${target}`, () => {
      const golden = new URL(`./export-secure.${target}.yaml`, import.meta.url);
      const { text } = exportEnsemble(secured, target);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      expect(existsSync(golden), 'missing golden file: run with UPDATE_GOLDEN=1').toBe(true);
      expect(text).toBe(readFileSync(golden, 'utf8'));
    });
  }
  it('is pure: the same spec exports the same bytes', () => {
    expect(exportEnsemble(opts, 'kubernetes').text).toBe(exportEnsemble(structuredClone(opts), 'kubernetes').text);
  });
});
