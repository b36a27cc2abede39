/**
 * The CDS archive builder's scratch servers get a zoo.cfg of their own release's shape: it once
 * wrote 3.5-style `server.N=…;client` lines, which 3.4 rejects, so every `up` of a 3.4
 * ensemble launched a builder that failed. (test/e2e/versions.test.ts builds the archive for real.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builderZooCfg } from '../../src/ensemble/cds/builder.js';
import { parseZkVersion } from '../../src/zk/versions.js';

const template = readFileSync(path.resolve(import.meta.dirname, '../../templates/zoo.cfg.hbs'), 'utf8');

describe('builderZooCfg', () => {
  it('3.4: server lines without a client address, no AdminServer or whitelist keys', () => {
    const cfg = builderZooCfg(template, parseZkVersion('3.4.13')!, 1, 30000, '/cache/cds/work/server-1/data');
    expect(cfg).toMatch(/^server\.1=127\.0\.0\.1:30002:30004$/m);
    expect(cfg).toMatch(/^server\.2=127\.0\.0\.1:30003:30005$/m);
    expect(cfg).toMatch(/^clientPort=30000$/m);
    const settings = cfg.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(settings).not.toMatch(/;|admin\.|4lw\./);
  });

  it('3.5 and later: the client address in each server line, the AdminServer off, every word whitelisted', () => {
    const cfg = builderZooCfg(template, parseZkVersion('3.9.3')!, 2, 30000, '/d');
    expect(cfg).toMatch(/^server\.1=127\.0\.0\.1:30002:30004;127\.0\.0\.1:30000$/m);
    expect(cfg).toMatch(/^clientPort=30001$/m);
    expect(cfg).toMatch(/^admin\.enableServer=false$/m);
    expect(cfg).toMatch(/^4lw\.commands\.whitelist=\*$/m);
  });
});
