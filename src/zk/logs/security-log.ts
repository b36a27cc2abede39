/**
 * Why a server refused a client, read from the lines its log wrote at that moment (pure):
 * ZooKeeper names a TLS or SASL refusal there and nowhere else — the client sees only a
 * closed connection or a bare TLS alert. Patterns from ZooKeeper 3.8's Netty server, JSSE
 * and the SASL server, as they appear in real logs.
 */

/**
 * Each known refusal, most specific first. `lasting`: the cause cannot cure itself (a
 * certificate, a password, plaintext against TLS) — unlike a handshake a peer cut short while
 * the quorum's connections settle, which happens on every healthy start.
 */
const REASONS: { pattern: RegExp; say: (m: RegExpExecArray) => string; lasting: boolean }[] = [
  { pattern: /NotSslRecordException: not an SSL\/TLS record/, say: () => 'a client sent plaintext to the TLS port (not an SSL/TLS record)', lasting: true },
  { pattern: /Unsupported or unrecognized SSL message/, say: () => 'a peer spoke plaintext to the TLS quorum port (Unsupported or unrecognized SSL message)', lasting: true },
  { pattern: /Empty client certificate chain|null cert chain|Empty server certificate chain/i, say: () => 'the client presented no certificate, and the server requires one (ssl.clientAuth=need)', lasting: true },
  { pattern: /CertificateExpiredException: NotAfter: ([^\n]+)/, say: (m) => `a certificate has expired (NotAfter: ${m[1]!.trim()})`, lasting: true },
  { pattern: /CertificateNotYetValidException: NotBefore: ([^\n]+)/, say: (m) => `a certificate is not valid yet (NotBefore: ${m[1]!.trim()})`, lasting: true },
  { pattern: /CertPathValidatorException: validity check failed/, say: () => 'a certificate has expired or is not valid yet (validity check failed)', lasting: true },
  { pattern: /(unable to find valid certification path to requested target|Signature does not match|signature check failed)/, say: (m) => `a certificate is not signed by the CA the server trusts (${m[1]})`, lasting: true },
  { pattern: /No subject alternative names matching IP address ([\d.]+) found|Failed to verify host address: ([^\s]+)/, say: (m) => `a certificate does not name ${m[1] ?? m[2]}`, lasting: true },
  // The end that rejected a certificate says why only in its own log; this end hears an alert.
  { pattern: /Received fatal alert: (certificate_[a-z_]+|bad_certificate|unknown_ca)/, say: (m) => `the other end refused its certificate (TLS alert ${m[1]})`, lasting: true },
  { pattern: /Received fatal alert: ([a-z_]+)/, say: (m) => `the other end refused the TLS handshake (${m[1]})`, lasting: false },
  // The failure line logs the exception on the next line ("failed to SASL authenticate: {}"), so the exception line is what names it.
  { pattern: /SaslException: (DIGEST-MD5: [^\n]*Mismatched response[^\n]*)/, say: (m) => `SASL authentication failed: the password is wrong (${m[1]!.trim()})`, lasting: true },
  { pattern: /SaslException: (DIGEST-MD5: [^\n]+)/, say: (m) => `SASL authentication failed (${m[1]!.trim()})`, lasting: false },
  { pattern: /Client authentication scheme\(s\) (\[[^\]]*\]) does not match with any of the expected authentication scheme (\[[^\]]*\])/, say: (m) => `the client did not authenticate with ${m[2]} (it had ${m[1]}), so the server closed its session`, lasting: true },
  { pattern: /SSLHandshakeException: ([^\n]+)/, say: (m) => `the TLS handshake failed (${m[1]!.trim()})`, lasting: false },
];

const STAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/;

/** A log line's time (the server's local time, as this machine reads it); undefined for continuation lines. */
export function lineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!).getTime();
}

/** Threads and classes that serve clients (Netty's event loops, the SASL and enforcement checks), not peers. */
const CLIENT_SIDE = /nioEventLoopGroup|epollEventLoopGroup|NettyServerCnxn|AuthenticationHelper|ZooKeeperServer@/;

/** A refusal found in a log: what it says, and how specific it is (lower ranks name the cause more exactly). */
export interface Refusal {
  reason: string;
  rank: number;
}

/**
 * A refusal the log shows at or after `sinceMs` (stack-trace lines belong to the stamped line
 * above them), or undefined when it shows none. `peersOnly` looks at the quorum's links only
 * (a misconfigured client says nothing about whether the quorum can form) and takes the most
 * specific refusal: a failed handshake between servers leaves lines on both ends, a generic
 * alert on one and the certificate's problem on the other, and the problem is what to say.
 * Otherwise (one client's attempt) the latest refusal is that attempt's.
 */
export function findRefusal(logText: string, sinceMs = 0, peersOnly = false): Refusal | undefined {
  let current = -Infinity;
  let client = false;
  let peer: string | undefined;
  let found: Refusal | undefined;
  for (const line of logText.split('\n')) {
    const t = lineTime(line);
    if (t !== undefined) {
      current = t;
      client = CLIENT_SIDE.test(line);
      // The quorum's own line names the peer ("Cannot open channel to 3 at election address …").
      peer = /Cannot open channel to (\d+)|Connection broken for id (\d+)|connecting to server (\d+)/i.exec(line)?.slice(1).find(Boolean);
    }
    if (current < sinceMs || (peersOnly && client)) continue;
    // Between servers only causes that last count: a handshake cut short while connections settle is routine.
    const rank = REASONS.findIndex((r) => r.pattern.test(line) && (r.lasting || !peersOnly));
    if (rank < 0 || (peersOnly && found && found.rank < rank)) continue;
    const m = REASONS[rank]!.pattern.exec(line)!;
    found = { rank, reason: `${REASONS[rank]!.say(m)}${peer ? ` (on its link to server ${peer})` : ''}` };
  }
  return found;
}

/** findRefusal's sentence. */
export function refusalReason(logText: string, sinceMs = 0, peersOnly = false): string | undefined {
  return findRefusal(logText, sinceMs, peersOnly)?.reason;
}
