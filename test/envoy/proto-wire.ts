/**
 * A tiny protobuf wire writer and reader, independent of the generated code, so tests can
 * build the bytes Envoy sends (and read the bytes we answer) from field NUMBERS alone.
 */

/** Appends a base-128 varint. */
function varint(out: number[], value: number | bigint): void {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
}

/** A field value: a varint (number/bigint/boolean), bytes/string, or a nested message (field list). */
export type WireValue = number | bigint | boolean | string | Uint8Array | WireField[];
export type WireField = [fieldNumber: number, value: WireValue];

/** Encodes fields in the order given (repeated fields = the same number several times). */
export function encode(fields: readonly WireField[]): Uint8Array {
  const out: number[] = [];
  for (const [no, value] of fields) {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      varint(out, no << 3);
      varint(out, typeof value === 'boolean' ? (value ? 1 : 0) : value);
      continue;
    }
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : encode(value);
    varint(out, (no << 3) | 2);
    varint(out, bytes.length);
    for (const b of bytes) out.push(b);
  }
  return Uint8Array.from(out);
}

/** A map<string, string> entry is a nested message with key = 1, value = 2. */
export function mapEntry(key: string, value: string | WireField[]): WireField[] {
  return [
    [1, key],
    [2, value],
  ];
}

export interface DecodedField {
  no: number;
  wireType: number;
  /** Varint value (wire type 0). */
  int?: bigint;
  /** Length-delimited payload (wire type 2). */
  bytes?: Uint8Array;
}

/** Decodes one level of fields (varint and length-delimited only, which is all these messages use). */
export function decode(bytes: Uint8Array): DecodedField[] {
  const fields: DecodedField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(readVarint());
    const no = tag >> 3;
    const wireType = tag & 7;
    if (wireType === 0) fields.push({ no, wireType, int: readVarint() });
    else if (wireType === 2) {
      const len = Number(readVarint());
      fields.push({ no, wireType, bytes: bytes.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

/** The first field with this number, or throws. */
export function field(fields: readonly DecodedField[], no: number): DecodedField {
  const f = fields.find((x) => x.no === no);
  if (!f) throw new Error(`field ${no} absent (present: ${fields.map((x) => x.no).join(',')})`);
  return f;
}

/** Nested message at a path of field numbers. */
export function path(bytes: Uint8Array, ...numbers: number[]): DecodedField[] {
  let current = decode(bytes);
  for (const no of numbers) current = decode(field(current, no).bytes ?? new Uint8Array());
  return current;
}

export function text(f: DecodedField): string {
  return new TextDecoder().decode(f.bytes);
}
