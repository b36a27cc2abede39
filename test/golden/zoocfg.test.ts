/**
 * zoo.cfg renders compared byte for byte with committed files. After an intended change to the
 * template, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderZooCfg, type ZooCfgInput } from '../../src/zk/config/config.js';
import { blockPorts, classicPorts } from '../../src/zk/config/ports.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import type { Member, SecuritySpec } from '../../src/options/types.js';

const template = readFileSync(new URL('../../templates/zoo.cfg.hbs', import.meta.url), 'utf8');

function members(voters: number, observers = 0, ports = classicPorts(voters + observers)): Member[] {
  return ports.map((p, i) => ({ id: i + 1, peerType: i < voters ? 'participant' : 'observer', ports: p }));
}

function input(version: string, ms: Member[], selfId: number, config: Record<string, string> = {}): ZooCfgInput {
  return { ensemble: 'default', version: parseZkVersion(version)!, self: ms[selfId - 1]!, members: ms, dataDir: `/home/dev/.zkpseudo/default/zookeeper-${selfId}/data`, config };
}

const cases: Record<string, ZooCfgInput> = {
  '3.4.14-three-server-2': input('3.4.14', members(3), 2),
  '3.8.0-three-server-1': input('3.8.0', members(3), 1),
  '3.9.5-three-server-3': input('3.9.5', members(3), 3),
  '3.9.5-observer-server-4': input('3.9.5', members(3, 1), 4),
  '3.8.0-standalone': input('3.8.0', members(1), 1),
  '3.8.0-block-ports-extra-config': input('3.8.0', members(3, 0, blockPorts(41000, 3, true)), 1, { tickTime: '500', forceSync: 'no', 'snapshot.trust.empty': 'true' }),
  // Secured: TLS beside the plain port with SASL (3.8: enforce.auth.*), and TLS only (no plain port anywhere).
  '3.8.0-tls-sasl-server-1': secured('3.8.0', members(3, 0, classicPorts(3).map((p, i) => ({ ...p, secureClient: 2281 + i }))), 1, { tls: { only: false, clientAuth: 'need' }, sasl: true }),
  '3.9.5-tls-only-server-2': secured('3.9.5', members(3), 2, { tls: { only: true, clientAuth: 'want' } }),
};

function secured(version: string, ms: Member[], selfId: number, spec: SecuritySpec): ZooCfgInput {
  const dir = '/home/dev/.zkpseudo/default/security';
  return { ...input(version, ms, selfId), security: { spec, keyStore: `${dir}/server-${selfId}.pem`, trustStore: `${dir}/ca.pem` } };
}

describe('renderZooCfg golden files', () => {
  for (const [name, inp] of Object.entries(cases)) {
    it(name, () => {
      const file = new URL(`./${name}.cfg`, import.meta.url);
      const rendered = renderZooCfg(template, inp);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, rendered);
      expect(existsSync(file), `missing golden file ${name}.cfg: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(rendered).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('is pure: the same input renders the same bytes', () => {
    const inp = cases['3.8.0-three-server-1']!;
    expect(renderZooCfg(template, inp)).toBe(renderZooCfg(template, structuredClone(inp)));
  });
});
