/** The only place that makes HTTP requests: got, with the proxies the environment names. */
import got, { type Got } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * A got client for one URL, through HTTPS_PROXY/HTTP_PROXY unless NO_PROXY excludes the host.
 * Transient failures (timeouts, resets, 5xx) are retried with got's backoff.
 */
export function clientFor(url: string): Got {
  const proxy = getProxyForUrl(url);
  const agentOptions = { keepAlive: false, proxy };
  return got.extend({
    timeout: { lookup: 5_000, connect: 10_000, response: 30_000 },
    // ENOTFOUND is left out: an unknown host (no network, a typo) will not appear in a second,
    // and retrying it would keep an offline `up` from its fallback for many seconds.
    retry: {
      limit: 3,
      methods: ['GET'],
      errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'],
    },
    ...(proxy
      ? { agent: { http: new HttpProxyAgent(agentOptions), https: new HttpsProxyAgent(agentOptions) } }
      : {}),
  });
}
