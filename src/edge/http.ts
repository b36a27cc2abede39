/** The only place that makes HTTP requests: got, with the proxies the environment names. */
import got, { type Got } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Every phase of a request is bounded (ms): name lookup, TCP and TLS connect (and a proxy's
 * CONNECT), the first byte of the answer, and any silence mid-body. The whole download has a
 * bound of its own (see download.ts).
 */
export const PHASE_TIMEOUTS = { lookup: 3_000, connect: 4_000, secureConnect: 4_000, send: 5_000, response: 8_000, socket: 15_000 };

/**
 * A got client for one URL, through HTTPS_PROXY/HTTP_PROXY unless NO_PROXY excludes the host.
 * Transient failures (timeouts, resets, 5xx) are retried with got's backoff.
 */
export function clientFor(url: string): Got {
  const proxy = getProxyForUrl(url);
  // hpagent's own timeout bounds the proxy's CONNECT: a proxy that accepts and never answers.
  const agentOptions = { keepAlive: false, proxy, timeout: PHASE_TIMEOUTS.connect };
  return got.extend({
    timeout: PHASE_TIMEOUTS,
    // An unknown host, a refused connection or a timeout is an answer: retrying them would keep
    // an offline `up` from its fallback for many seconds. Resets and 5xx are worth one more try.
    retry: {
      limit: 1,
      methods: ['GET'],
      errorCodes: ['ECONNRESET', 'EADDRINUSE', 'EPIPE', 'EAI_AGAIN'],
    },
    ...(proxy
      ? { agent: { http: new HttpProxyAgent(agentOptions), https: new HttpsProxyAgent(agentOptions) } }
      : {}),
  });
}
