/** Four-letter words over TCP, or over TLS where a server has only a TLS client port. */
import net from 'node:net';
import tls from 'node:tls';

/** What a TLS connection presents and trusts: PEM CA, and the client certificate and key servers may require. */
export interface FourLetterTls {
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/**
 * Sends a four-letter word and returns everything the server wrote before closing.
 * Rejects on connection errors or when no full reply arrives within `timeoutMs`: a server can
 * accept a connection long before it answers.
 */
export function sendFourLetterWord(port: number, word: string, timeoutMs = 1000, host = '127.0.0.1', secure?: FourLetterTls): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = secure
      ? tls.connect({ host, port, ca: secure.ca, ...(secure.cert ? { cert: secure.cert, key: secure.key } : {}) })
      : net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no reply to ${word} from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.end(word));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
