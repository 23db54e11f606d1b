/**
 * Keccak-256 (the original Keccak padding used by Ethereum, not NIST SHA3-256, which
 * node:crypto offers but which gives different digests). Needed only for EIP-55 address
 * checksums, so it favours clarity over speed: 64-bit lanes as pairs of 32-bit halves.
 */

const ROUNDS = 24;
const RATE_BYTES = 136; // 1088-bit rate for a 256-bit digest

/** Round constants as [high, low] 32-bit halves. */
const ROUND_CONSTANTS: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 0x00000001], [0x00000000, 0x00008082], [0x80000000, 0x0000808a], [0x80000000, 0x80008000],
  [0x00000000, 0x0000808b], [0x00000000, 0x80000001], [0x80000000, 0x80008081], [0x80000000, 0x00008009],
  [0x00000000, 0x0000008a], [0x00000000, 0x00000088], [0x00000000, 0x80008009], [0x00000000, 0x8000000a],
  [0x00000000, 0x8000808b], [0x80000000, 0x0000008b], [0x80000000, 0x00008089], [0x80000000, 0x00008003],
  [0x80000000, 0x00008002], [0x80000000, 0x00000080], [0x00000000, 0x0000800a], [0x80000000, 0x8000000a],
  [0x80000000, 0x80008081], [0x80000000, 0x00008080], [0x00000000, 0x80000001], [0x80000000, 0x80008008],
];

/** Rotation offsets (rho step), indexed by lane x + 5y. */
const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

/** Rotates the 64-bit lane (hi, lo) left by n and writes it to out[idx*2], out[idx*2+1]. */
function rotl(hi: number, lo: number, n: number, out: Uint32Array, idx: number): void {
  if (n === 0) {
    out[idx * 2] = hi;
    out[idx * 2 + 1] = lo;
    return;
  }
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
    if (n === 0) {
      out[idx * 2] = hi;
      out[idx * 2 + 1] = lo;
      return;
    }
  }
  out[idx * 2] = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  out[idx * 2 + 1] = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}

/** The Keccak-f[1600] permutation over 25 lanes stored as [hi, lo] pairs. */
function keccakF(state: Uint32Array): void {
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  const tmp = new Uint32Array(2);
  for (let round = 0; round < ROUNDS; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      let hi = 0;
      let lo = 0;
      for (let y = 0; y < 5; y++) {
        hi ^= state[(x + 5 * y) * 2] as number;
        lo ^= state[(x + 5 * y) * 2 + 1] as number;
      }
      c[x * 2] = hi >>> 0;
      c[x * 2 + 1] = lo >>> 0;
    }
    for (let x = 0; x < 5; x++) {
      const prev = (x + 4) % 5;
      const next = (x + 1) % 5;
      rotl(c[next * 2] as number, c[next * 2 + 1] as number, 1, tmp, 0);
      const dHi = ((c[prev * 2] as number) ^ (tmp[0] as number)) >>> 0;
      const dLo = ((c[prev * 2 + 1] as number) ^ (tmp[1] as number)) >>> 0;
      for (let y = 0; y < 5; y++) {
        const i = (x + 5 * y) * 2;
        state[i] = ((state[i] as number) ^ dHi) >>> 0;
        state[i + 1] = ((state[i + 1] as number) ^ dLo) >>> 0;
      }
    }
    // rho and pi: B[y, 2x + 3y] = rot(A[x, y])
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const src = x + 5 * y;
        const dst = y + 5 * ((2 * x + 3 * y) % 5);
        rotl(state[src * 2] as number, state[src * 2 + 1] as number, ROTATIONS[src] as number, b, dst);
      }
    }
    // chi
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        const i = (x + 5 * y) * 2;
        const i1 = (((x + 1) % 5) + 5 * y) * 2;
        const i2 = (((x + 2) % 5) + 5 * y) * 2;
        state[i] = ((b[i] as number) ^ (~(b[i1] as number) & (b[i2] as number))) >>> 0;
        state[i + 1] = ((b[i + 1] as number) ^ (~(b[i1 + 1] as number) & (b[i2 + 1] as number))) >>> 0;
      }
    }
    // iota
    const rc = ROUND_CONSTANTS[round] as readonly [number, number];
    state[0] = ((state[0] as number) ^ rc[0]) >>> 0;
    state[1] = ((state[1] as number) ^ rc[1]) >>> 0;
  }
}

/** XORs one rate-sized block into the state; lanes are little-endian 64-bit words. */
function absorbBlock(state: Uint32Array, block: Uint8Array): void {
  for (let lane = 0; lane < RATE_BYTES / 8; lane++) {
    const o = lane * 8;
    const lo = ((block[o] as number) | ((block[o + 1] as number) << 8) | ((block[o + 2] as number) << 16) | ((block[o + 3] as number) << 24)) >>> 0;
    const hi = ((block[o + 4] as number) | ((block[o + 5] as number) << 8) | ((block[o + 6] as number) << 16) | ((block[o + 7] as number) << 24)) >>> 0;
    state[lane * 2] = ((state[lane * 2] as number) ^ hi) >>> 0;
    state[lane * 2 + 1] = ((state[lane * 2 + 1] as number) ^ lo) >>> 0;
  }
}

/** Keccak-256 digest (32 bytes) of `data`, as Ethereum uses it. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccakSponge256(data, 0x01);
}

/**
 * The 256-bit sponge with a chosen domain padding byte: 0x01 is original Keccak, 0x06 is
 * NIST SHA3-256 (exported so tests can check the permutation against node:crypto's sha3-256).
 */
export function keccakSponge256(data: Uint8Array, domainByte: number): Uint8Array {
  const state = new Uint32Array(50);
  const fullBlocks = Math.floor(data.length / RATE_BYTES);
  for (let i = 0; i < fullBlocks; i++) {
    absorbBlock(state, data.subarray(i * RATE_BYTES, (i + 1) * RATE_BYTES));
    keccakF(state);
  }
  // Padding: the domain byte after the message, 0x80 in the block's last byte.
  const last = new Uint8Array(RATE_BYTES);
  const rest = data.subarray(fullBlocks * RATE_BYTES);
  last.set(rest);
  last[rest.length] = (last[rest.length] as number) ^ domainByte;
  last[RATE_BYTES - 1] = (last[RATE_BYTES - 1] as number) ^ 0x80;
  absorbBlock(state, last);
  keccakF(state);
  const out = new Uint8Array(32);
  for (let lane = 0; lane < 4; lane++) {
    const hi = state[lane * 2] as number;
    const lo = state[lane * 2 + 1] as number;
    for (let k = 0; k < 4; k++) {
      out[lane * 8 + k] = (lo >>> (8 * k)) & 0xff;
      out[lane * 8 + 4 + k] = (hi >>> (8 * k)) & 0xff;
    }
  }
  return out;
}
