/** Reading Apache's published `.sha512` files (pure). */

/**
 * Extracts the SHA-512 hex digest from a `.sha512` file. Apache has published two shapes:
 * `sha512sum` style (`<hex>  <file>`) and `gpg --print-md` style
 * (`<file>: ABCD 1234 …`, upper case, grouped, wrapped over several lines).
 * Returns the digest in lower case, or undefined when no 128-hex-digit digest is found.
 */
export function parseSha512File(text: string): string | undefined {
  const body = text.trim();
  // gpg style: everything after the first ": " is the digest, with spaces and newlines inside.
  const colon = /^[^\s:][^:]*:\s*([0-9A-Fa-f\s]+)$/s.exec(body);
  if (colon?.[1]) {
    const hex = colon[1].replace(/\s+/g, '');
    if (/^[0-9a-fA-F]{128}$/.test(hex)) return hex.toLowerCase();
  }
  const plain = /^([0-9a-fA-F]{128})(?:\s|$)/.exec(body);
  return plain?.[1]?.toLowerCase();
}
