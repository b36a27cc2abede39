/**
 * Every file the user names is read one way (src/edge/fs/user-file.ts), and each reader —
 * the ensemble file (-f), a seed file, a history for check-history, a certificate named by
 * $ZK_TLS_CA — meets each kind of trouble the same way: a clear error naming the file and
 * what is wrong, never a stack trace, an endless read or mojibake parsed as YAML. And what
 * should work does: a pipe with a writer (process substitution, /dev/stdin) is read.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkpseudoError } from '../../src/errors.js';
import { readUserText } from '../../src/edge/fs/user-file.js';
import { loadEnsembleFile } from '../../src/options/file.js';
import { loadTreeFile } from '../../src/ensemble/tree/seed.js';
import { loadHistory } from '../../src/cli/commands/chaos.js';
import { connectCredentials } from '../../src/ensemble/remote/credentials.js';
import { historyToNdjson } from '../../src/ensemble/consistency/check/history-ndjson.js';
import { syntheticRegisterHistory } from '../../src/ensemble/consistency/check/synthetic.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-userfile-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Each reader, with text it accepts, and how its error names the file. */
const READERS: { name: string; good: string; read: (file: string) => Promise<unknown> }[] = [
  { name: 'the ensemble file (-f)', good: 'servers: 3\n', read: (f) => loadEnsembleFile(f) },
  { name: 'a seed file', good: '/app: hello\n', read: (f) => loadTreeFile(f) },
  { name: 'a history (check-history)', good: historyToNdjson(syntheticRegisterHistory({ ops: 20, seed: 1 })), read: (f) => loadHistory(f) },
  { name: '$ZK_TLS_CA (--connect --tls)', good: '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n', read: (f) => connectCredentials({ ZK_TLS_CA: f }, { tls: true }) },
];

/** The kinds of trouble, each made fresh for a case: the path, and what the error must say. */
const TROUBLE: { kind: string; make: () => Promise<string>; says: RegExp }[] = [
  { kind: 'missing', make: async () => path.join(dir, 'gone'), says: /ENOENT|no such file/ },
  { kind: 'a directory', make: async () => dir, says: /is a directory/ },
  { kind: 'a device that never ends (/dev/zero)', make: async () => '/dev/zero', says: /gives more than the \d+ bytes this file may hold/ },
  { kind: 'a huge file', make: async () => { const f = path.join(dir, `huge-${Math.random()}`); await writeFile(f, Buffer.alloc(70 * 1024 * 1024, 0x61)); return f; }, says: /is 73400320 bytes long, more than the \d+ this file may hold/ },
  { kind: 'binary junk', make: async () => { const f = path.join(dir, `junk-${Math.random()}`); await writeFile(f, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28])); return f; }, says: /is not UTF-8 text \(binary junk\)/ },
  { kind: 'unreadable (mode 000)', make: async () => { const f = path.join(dir, `locked-${Math.random()}`); await writeFile(f, 'x', { mode: 0o000 }); return f; }, says: process.getuid?.() === 0 ? /./ : /EACCES/ },
];

describe.each(READERS)('$name', ({ read, good }) => {
  it.each(TROUBLE)('$kind: a ZkpseudoError naming the file and what is wrong', async ({ kind, make, says }) => {
    const file = await make();
    const err = await read(file).then(() => undefined, (e: unknown) => e);
    // root reads a mode-000 file: then the junk inside it is what is refused, or it is taken.
    if (kind.startsWith('unreadable') && process.getuid?.() === 0) return;
    expect(err, `${kind}: ${String(err)}`).toBeInstanceOf(ZkpseudoError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(says);
  });

  it('a pipe with a writer (process substitution, /dev/stdin) is read like a file', async () => {
    const fifo = path.join(dir, `pipe-${Math.random()}.txt`);
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf '%s' "$0" > "${fifo}"`, good]);
    const wrote = new Promise((r) => writer.on('exit', r));
    const err = await read(fifo).then(() => undefined, (e: unknown) => e);
    expect(await wrote).toBe(0);
    expect(err).toBeUndefined();
  });
});

describe('readUserText', () => {
  it('gives the text of a file within the bound, and refuses one past it', async () => {
    const f = path.join(dir, 'ok.txt');
    await writeFile(f, 'héllo');
    expect(await readUserText(f, 6)).toEqual({ text: 'héllo' });
    expect(await readUserText(f, 5)).toEqual({ problem: 'it is 6 bytes long, more than the 5 this file may hold' });
  });
});
