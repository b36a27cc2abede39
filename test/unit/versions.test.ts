import { describe, expect, it } from 'vitest';
import { dataDirMoveProblem, downloadUrls, isDowngrade, keyIgnoredBy, releaseUrl, tarballName, tarballTopDir, versionFacts } from '../../src/zk/version-facts.js';
import { normalizeOptions } from '../../src/options/options.js';
import { compareZkVersions, parseZkVersion } from '../../src/zk/versions.js';

const v = (t: string) => parseZkVersion(t)!;

describe('ZooKeeper versions and tarball names', () => {
  it('parses releases and pre-releases, rejects anything else', () => {
    expect(v('3.8.0')).toMatchObject({ major: 3, minor: 8, patch: 0, suffix: '' });
    expect(v('3.5.4-beta').suffix).toBe('-beta');
    for (const bad of ['3.8', '3.8.x', 'latest', '3.8.0-rc1', ' ', 'v3.8.0']) expect(parseZkVersion(bad)).toBeUndefined();
  });

  it('orders versions, pre-releases before their release', () => {
    expect(compareZkVersions(v('3.5.4-beta'), v('3.5.4'))).toBeLessThan(0);
    expect(compareZkVersions(v('3.10.0'), v('3.9.5'))).toBeGreaterThan(0);
    expect(compareZkVersions(v('3.8.6'), v('3.8.6'))).toBe(0);
  });

  it('names tarballs the way Apache did before and after 3.5.5', () => {
    expect(tarballName(v('3.4.14'))).toBe('zookeeper-3.4.14.tar.gz');
    expect(tarballName(v('3.5.4-beta'))).toBe('zookeeper-3.5.4-beta.tar.gz');
    expect(tarballName(v('3.5.5'))).toBe('apache-zookeeper-3.5.5-bin.tar.gz');
    expect(tarballName(v('3.9.5'))).toBe('apache-zookeeper-3.9.5-bin.tar.gz');
    expect(tarballTopDir(v('3.4.14'))).toBe('zookeeper-3.4.14');
    expect(tarballTopDir(v('3.8.0'))).toBe('apache-zookeeper-3.8.0-bin');
  });

  it('builds URLs below a mirror, the CDN and the archive, in that order', () => {
    expect(releaseUrl('https://mirror.example/apache', v('3.8.4'))).toBe('https://mirror.example/apache/zookeeper/zookeeper-3.8.4/apache-zookeeper-3.8.4-bin.tar.gz');
    expect(downloadUrls(v('3.4.14'), 'http://127.0.0.1:9/')).toEqual([
      'http://127.0.0.1:9/zookeeper/zookeeper-3.4.14/zookeeper-3.4.14.tar.gz',
      'https://dlcdn.apache.org/zookeeper/zookeeper-3.4.14/zookeeper-3.4.14.tar.gz',
      'https://archive.apache.org/dist/zookeeper/zookeeper-3.4.14/zookeeper-3.4.14.tar.gz',
    ]);
    expect(downloadUrls(v('3.9.5'))).toHaveLength(2);
  });

  it('knows the oldest Java each line runs on', () => {
    expect(versionFacts(v('3.4.14')).minimumJava).toBe(7);
    expect(versionFacts(v('3.8.0')).minimumJava).toBe(8);
    expect(versionFacts(v('3.10.0')).minimumJava).toBe(17);
  });

  it('answers every per-version question from one table of facts', () => {
    const old = versionFacts(v('3.4.13'));
    expect([old.serverLineHasClient, old.adminServer, old.fourLetterWhitelist, old.stopSendsSigterm]).toEqual([false, false, false, false]);
    expect(old.clientMaximumJava).toBe(13);
    expect(old.loggingConfigs.map((c) => c.file)).toEqual(['log4j.properties']);
    expect(old.noisyConnectionLoggers).toContain('org.apache.zookeeper.server.NIOServerCnxnFactory');
    const current = versionFacts(v('3.8.0'));
    expect([current.serverLineHasClient, current.adminServer, current.fourLetterWhitelist, current.mntrPeerState]).toEqual([true, true, true, true]);
    expect(current.clientMaximumJava).toBeUndefined();
    expect(current.loggingConfigs.map((c) => c.file)).toEqual(['logback.xml', 'log4j.properties']);
    expect(current.loggingConfigs[0]!.property('/x/logback.xml')).toBe('-Dlogback.configurationFile=/x/logback.xml');
    expect(current.fipsModeDefault).toBe(false);
    expect(versionFacts(v('3.9.3')).fipsModeDefault).toBe(true);
    expect(versionFacts(v('3.5.0')).stopSendsSigterm).toBe(false);
  });

  it('knows each tarball\'s layout: the jar at the top before 3.5.5, in lib/ after', () => {
    expect(versionFacts(v('3.4.13')).tarball).toEqual({ name: 'zookeeper-3.4.13.tar.gz', topDir: 'zookeeper-3.4.13', jarAtTop: true });
    expect(versionFacts(v('3.9.3')).tarball).toEqual({ name: 'apache-zookeeper-3.9.3-bin.tar.gz', topDir: 'apache-zookeeper-3.9.3-bin', jarAtTop: false });
  });

  it('names the options a release would silently ignore, and refuses them as usage errors', () => {
    expect(keyIgnoredBy(v('3.4.13'), '4lw.commands.whitelist')).toMatch(/no four-letter-word whitelist/);
    expect(keyIgnoredBy(v('3.4.13'), 'admin.commandURL')).toMatch(/no AdminServer/);
    expect(keyIgnoredBy(v('3.8.0'), '4lw.commands.whitelist')).toBeUndefined();
    expect(keyIgnoredBy(v('3.4.13'), 'forceSync')).toBeUndefined();
    expect(() => normalizeOptions({ zkVersion: '3.4.13', adminPort: 'auto' })).toThrow(/adminPort: ZooKeeper 3\.4\.13 has no AdminServer/);
    expect(() => normalizeOptions({ zkVersion: '3.4.13', config: { '4lw.commands.whitelist': 'srvr' } })).toThrow(/config\.4lw\.commands\.whitelist/);
    expect(normalizeOptions({ zkVersion: '3.5.10', adminPort: 'auto' }).adminPort).toBe('auto');
  });

  it('says which data-dir moves a rolling upgrade may make', () => {
    expect(dataDirMoveProblem(v('3.8.0'), v('3.9.3'))).toBeUndefined();
    expect(dataDirMoveProblem(v('3.4.13'), v('3.4.14'))).toBeUndefined();
    expect(dataDirMoveProblem(v('3.4.13'), v('3.8.0'))).toMatch(/3\.4 and 3\.5/);
    expect(dataDirMoveProblem(v('3.9.3'), v('3.4.13'))).toMatch(/3\.4 and 3\.5/);
    expect(isDowngrade(v('3.9.3'), v('3.8.0'))).toBe(true);
    expect(isDowngrade(v('3.8.0'), v('3.9.3'))).toBe(false);
  });
});
