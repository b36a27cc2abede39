import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSha512File } from '../../src/zk/checksum.js';

const digest = createHash('sha512').update('zookeeper').digest('hex');

/** The `gpg --print-md SHA512` layout older Apache releases published. */
function gpgStyle(file: string, hex: string): string {
  const groups = hex.toUpperCase().match(/.{8}/g)!;
  const lines = [groups.slice(0, 6), groups.slice(6, 12), groups.slice(12)].map((g) => g.join(' '));
  const pad = ' '.repeat(file.length + 2);
  return `${file}: ${lines[0]}\n${pad}${lines[1]}\n${pad}${lines[2]}\n`;
}

describe('parseSha512File', () => {
  it('reads the sha512sum form', () => {
    expect(parseSha512File(`${digest}  apache-zookeeper-3.8.0-bin.tar.gz\n`)).toBe(digest);
    expect(parseSha512File(`${digest} *apache-zookeeper-3.8.0-bin.tar.gz`)).toBe(digest);
    expect(parseSha512File(digest)).toBe(digest);
  });

  it('reads the gpg --print-md form: upper case, grouped, over several lines', () => {
    const text = gpgStyle('zookeeper-3.4.14.tar.gz', digest);
    expect(text.split('\n').length).toBeGreaterThan(2);
    expect(parseSha512File(text)).toBe(digest);
  });

  it('returns undefined when there is no whole digest', () => {
    expect(parseSha512File('')).toBeUndefined();
    expect(parseSha512File('<html>404 Not Found</html>')).toBeUndefined();
    expect(parseSha512File(`${digest.slice(0, 100)}  file.tar.gz`)).toBeUndefined();
    expect(parseSha512File(`file.tar.gz: ${digest.slice(0, 64).toUpperCase()}`)).toBeUndefined();
  });
});
