/**
 * Jute, ZooKeeper's record encoding (pure): big-endian ints and longs, a boolean as one byte,
 * buffers and strings as a 4-byte length (-1 for null) then the bytes, vectors as a count then
 * the items (zookeeper-jute's BinaryOutputArchive/BinaryInputArchive).
 */

export class JuteWriter {
  private parts: Buffer[] = [];
  int(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  long(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }
  buffer(b: Buffer | null): this {
    if (b === null) return this.int(-1);
    this.int(b.length);
    this.parts.push(b);
    return this;
  }
  string(s: string | null): this {
    return this.buffer(s === null ? null : Buffer.from(s, 'utf8'));
  }
  vector<T>(items: T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A record cut short (or a length out of range) is an error, never a silent zero. */
export class JuteError extends Error {}

export class JuteReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (n < 0 || this.at + n > this.buf.length) throw new JuteError(`record cut short: wanted ${n} bytes at ${this.at} of ${this.buf.length}`);
  }
  int(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  long(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  bool(): boolean {
    this.need(1);
    return this.buf[this.at++] !== 0;
  }
  buffer(): Buffer | null {
    const len = this.int();
    if (len === -1) return null;
    this.need(len);
    const b = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return Buffer.from(b);
  }
  string(): string | null {
    const b = this.buffer();
    return b === null ? null : b.toString('utf8');
  }
  vector<T>(each: (r: this) => T): T[] | null {
    const n = this.int();
    if (n === -1) return null;
    if (n < 0 || n > this.remaining()) throw new JuteError(`vector of ${n} items in ${this.remaining()} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  remaining(): number {
    return this.buf.length - this.at;
  }
}
