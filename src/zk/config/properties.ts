/**
 * Writing values that survive java.util.Properties, which is how ZooKeeper reads zoo.cfg: the
 * file is read as ISO-8859-1, a backslash starts an escape, a trailing backslash continues the
 * line, and leading blanks of a value are dropped. A home dir like /home/józef must reach the
 * server as written, not as mojibake (pure).
 */

/** Escapes a value so Properties.load gives back exactly `value`. */
export function escapePropertyValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === ' ' && out.length === 0) out += '\\ ';
    // Non-ASCII as \uXXXX (UTF-16 units, as Java strings are): never mis-decoded as Latin-1.
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Parses Properties text as java.util.Properties.load does (for tests and round-trip checks). */
export function parseProperties(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    // Continuation: an odd number of trailing backslashes joins the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    let k = 0;
    let key = '';
    for (; k < line.length; k++) {
      const c = line[k]!;
      if (c === '\\') { key += line[k++ + 1] ?? ''; continue; }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
    }
    let rest = line.slice(k).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    result[key] = unescape(rest);
  }
  return result;
}

function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') { out += c; continue; }
    const n = text[++i] ?? '';
    if (n === 'u') { out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16)); i += 4; }
    else out += ({ n: '\n', r: '\r', t: '\t', f: '\f' } as Record<string, string>)[n] ?? n;
  }
  return out;
}
