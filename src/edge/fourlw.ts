/** The only place that talks to ZooKeeper's client port directly: four-letter words over TCP. */
import net from 'node:net';

/**
 * Sends a four-letter word and returns everything the server wrote before closing.
 * Rejects on connection errors or when no full reply arrives within `timeoutMs`: a server can
 * accept a connection long before it answers.
 */
export function sendFourLetterWord(port: number, word: string, timeoutMs = 1000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no reply to ${word} from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.end(word));
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
