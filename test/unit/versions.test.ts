import { describe, expect, it } from 'vitest';
import { downloadUrls, releaseUrl, tarballName, tarballTopDir, versionFacts } from '../../src/zk/version-facts.js';
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
});
