/** The files zkpseudo owns inside each server's copy: zoo.cfg, myid, and the data and log dirs. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from '../../edge/fs/files.js';
import { mkdirOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import { packageFile } from '../../edge/fs/package-files.js';
import type { EnsembleSpec } from '../../options/types.js';
import { memberVersion } from '../../options/member-versions.js';
import { renderZooCfg } from '../../zk/config/config.js';
import { parseZkVersion } from '../../zk/versions.js';
import { versionFacts, type VersionFacts } from '../../zk/version-facts.js';
import { proxyDials } from '../faults/links.js';
import type { EnsemblePaths } from './layout.js';
import { ensureSecret, SUPER_DIGEST_KEY, superDigest } from './super-secret.js';
import { securityFiles } from '../security/files.js';
import { writeServerJaas } from '../security/material.js';

const TEMPLATE = ['templates', 'zoo.cfg.hbs'];

/** templates/zoo.cfg.hbs, the one template every zoo.cfg zkpseudo writes is rendered from. */
export function zooCfgTemplate(): Promise<string> {
  return readFile(packageFile(...TEMPLATE), 'utf8');
}

const QUIET_MARK = 'zkpseudo: four-letter words at WARN';

/**
 * ZooKeeper logs every four-letter word it answers at INFO ("Processing srvr command"), so
 * each `status` poll adds lines to the log a failover is read from. The copy's own logging
 * configuration (logback.xml from 3.8, log4j.properties before) gets those classes at WARN;
 * done once, recognised by a marker, and nothing else in the file is touched.
 */
async function quietFourLetterWords(home: string, confDir: string, facts: VersionFacts): Promise<void> {
  const classes = facts.noisyConnectionLoggers;
  const logback = path.join(confDir, 'logback.xml');
  const text = await readFile(logback, 'utf8').catch(() => undefined);
  if (text !== undefined && !text.includes(QUIET_MARK) && text.includes('</configuration>')) {
    const loggers = classes.map((c) => `  <logger name="${c}" level="WARN"/>`).join('\n');
    await writeOwned(home, logback, text.replace('</configuration>', `  <!-- ${QUIET_MARK} -->\n${loggers}\n</configuration>`));
  }
  const log4j = path.join(confDir, 'log4j.properties');
  const props = await readFile(log4j, 'utf8').catch(() => undefined);
  if (props !== undefined && !props.includes(QUIET_MARK) && !props.includes('NIOServerCnxn=WARN')) {
    await writeOwned(home, log4j, `${props.trimEnd()}\n# ${QUIET_MARK}\n${classes.map((c) => `log4j.logger.${c}=WARN`).join('\n')}\n`);
  }
}

/**
 * The ensemble's super user (see super-secret.ts), as zoo.cfg lines. ZooKeeper makes an unknown
 * zoo.cfg key `k` the system property `zookeeper.k` while it reads the file, before any
 * authentication class loads, so this is -Dzookeeper.DigestAuthenticationProvider.superDigest
 * without a command line that `ps` shows. (java.env would end up on that command line, and
 * with class-data sharing ZOOCFGDIR is not the copy's conf/; a JVM @argfile needs Java 9 and
 * a path without blanks.) It is only the digest; the password stays in super.secret, 0600.
 */
function superUserLines(password: string): string {
  return `# The ensemble's super user, for zkpseudo reset/seed/dump (only a digest; the password is in the ensemble's super.secret):\n${SUPER_DIGEST_KEY}=${superDigest(password)}\n`;
}

/**
 * Renders zoo.cfg and writes myid for the given servers (default: all), creating the data
 * and log dirs. Rendering is pure, so this is safe on every `up` and `start`. Returns a
 * sentence for each thing it found missing or wrong and repaired (a deleted logs/ dir, a
 * missing or wrong myid), so the caller can say what it found.
 */
export async function writeServerFiles(paths: EnsemblePaths, spec: EnsembleSpec, ids?: number[]): Promise<string[]> {
  const template = await zooCfgTemplate();
  const repairs: string[] = [];
  const superLines = superUserLines(await ensureSecret(paths, (text) => repairs.push(text)));
  await Promise.all(spec.members.filter((m) => !ids || ids.includes(m.id)).map(async (m) => {
    // Each server's zoo.cfg has the shape of the release its copy runs (a mixed ensemble has two).
    const version = parseZkVersion(memberVersion(spec, m))!;
    const sp = paths.server(m.id);
    const hadData = await pathExists(sp.dataDir);
    if (hadData && !(await pathExists(sp.logsDir))) repairs.push(`server ${m.id}: its logs/ directory was missing; recreated it`);
    const myid = hadData ? await readFile(sp.myid, 'utf8').catch(() => undefined) : '';
    if (myid === undefined) repairs.push(`server ${m.id}: data/myid was missing; rewrote it`);
    else if (hadData && myid.trim() !== String(m.id)) repairs.push(`server ${m.id}: data/myid said "${myid.trim().slice(0, 20)}"; rewrote it as ${m.id}`);
    await mkdirOwned(paths.home, sp.dataDir);
    await mkdirOwned(paths.home, sp.logsDir);
    await mkdirOwned(paths.home, sp.confDir);
    const secured = spec.security ? { spec: spec.security, keyStore: securityFiles(paths).serverStore(m.id), trustStore: securityFiles(paths).caCert } : undefined;
    const cfg = renderZooCfg(template, {
      ensemble: spec.name, version, self: m, members: spec.members, dataDir: sp.dataDir, config: spec.config,
      ...(spec.tickMs ? { tickMs: spec.tickMs } : {}), ...(spec.faults ? { dials: proxyDials(spec.faults, m.id) } : {}),
      ...(secured ? { security: secured } : {}),
    });
    // A secured server's zoo.cfg names its keys (and may hold store passwords a user adds): 0600.
    await writeOwned(paths.home, sp.config, cfg + superLines, secured ? { mode: 0o600 } : {});
    await writeServerJaas(paths, spec, m.id);
    await quietFourLetterWords(paths.home, sp.confDir, versionFacts(version));
    await writeOwned(paths.home, sp.myid, `${m.id}\n`);
  }));
  return repairs.sort();
}
