/**
 * Reading a file the user names — an ensemble file (-f), a seed file, a history, a certificate
 * named by a variable — the one way: bounded in size (`/dev/zero` or a runaway file is a
 * problem, not all of memory), strict UTF-8 (binary junk is named, not parsed as mojibake), a
 * directory said to be one. Pipes and devices are read as streams up to the same bound, so
 * `zkpseudo seed <(generate)` and `/dev/stdin` work. The answer is the text or what is wrong
 * with it; each caller words the error for its own command and exit code.
 */
import { open, stat } from 'node:fs/promises';

export type UserText = { text: string } | { problem: string; code?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const CHUNK = 64 * 1024;

function failed(err: unknown): UserText {
  const code = (err as NodeJS.ErrnoException).code;
  return { problem: `it cannot be read (${code ?? (err as Error).message})`, ...(code ? { code } : {}) };
}

/** The text of `file`, at most `maxBytes` of it; else why not. */
export async function readUserText(file: string, maxBytes: number): Promise<UserText> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    return failed(err);
  }
  if (st.isDirectory()) return { problem: 'it is a directory', code: 'EISDIR' };
  if (st.isFile() && st.size > maxBytes) return { problem: `it is ${st.size} bytes long, more than the ${maxBytes} this file may hold` };
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const handle = await open(file, 'r');
    try {
      // A pipe or a device has no size to check first: read until its end or past the bound.
      for (;;) {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK), 0, CHUNK, null);
        if (!bytesRead) break;
        total += bytesRead;
        if (total > maxBytes) return { problem: `it gives more than the ${maxBytes} bytes this file may hold` };
        chunks.push(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    return failed(err);
  }
  try {
    return { text: utf8.decode(Buffer.concat(chunks)) };
  } catch {
    return { problem: 'it is not UTF-8 text (binary junk)' };
  }
}
