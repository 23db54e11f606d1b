import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  auTfnValid,
  base58CheckDecode,
  bech32Decode,
  deaNumberValid,
  eip55Valid,
  ibanMod97Valid,
  luhnValid,
  nhsMod11Valid,
  segwitAddressValid,
} from '../../src/detectors/pii/checksums.js';
import { keccak256, keccakSponge256 } from '../../src/detectors/pii/keccak256.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Luhn', () => {
  it('accepts valid numbers and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398710')).toBe(false);
  });
  it('rejects empty input and non-digits', () => {
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4111-1111')).toBe(false);
  });
});

describe('IBAN mod-97', () => {
  it('accepts registry examples in either case', () => {
    expect(ibanMod97Valid('GB82WEST12345698765432')).toBe(true);
    expect(ibanMod97Valid('DE89370400440532013000')).toBe(true);
    expect(ibanMod97Valid('FR1420041010050500013M02606')).toBe(true);
    expect(ibanMod97Valid('gb82west12345698765432')).toBe(true);
  });
  it('rejects a changed character or swapped check digits', () => {
    expect(ibanMod97Valid('GB82WEST12345698765433')).toBe(false);
    expect(ibanMod97Valid('GB28WEST12345698765432')).toBe(false);
    expect(ibanMod97Valid('GB82')).toBe(false);
  });
});

describe('NHS mod-11', () => {
  it('accepts valid numbers', () => {
    expect(nhsMod11Valid('9434765919')).toBe(true);
    expect(nhsMod11Valid('4010232137')).toBe(true);
  });
  it('rejects a wrong check digit, check value 10 and wrong lengths', () => {
    expect(nhsMod11Valid('9434765918')).toBe(false);
    expect(nhsMod11Valid('943476591')).toBe(false);
    // 1000000001: weighted sum 10 → check 1; 1000000000 therefore fails.
    expect(nhsMod11Valid('1000000000')).toBe(false);
  });
});

describe('DEA and TFN check digits', () => {
  it('DEA: (d1+d3+d5) + 2(d2+d4+d6) ends in d7', () => {
    expect(deaNumberValid('1234563')).toBe(true);
    expect(deaNumberValid('1234567')).toBe(false);
  });
  it('TFN: weighted sum divisible by 11 (the ATO example number passes)', () => {
    expect(auTfnValid('123456782')).toBe(true);
    expect(auTfnValid('123456789')).toBe(false);
    expect(auTfnValid('12345')).toBe(false);
  });
});

describe('Keccak-256', () => {
  it('matches the published empty-string and "abc" digests', () => {
    expect(hex(keccak256(new Uint8Array()))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256(Buffer.from('abc')))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });
  it('with SHA-3 padding equals node:crypto sha3-256 across block boundaries', () => {
    for (const n of [0, 1, 135, 136, 137, 271, 272, 1000]) {
      const data = Buffer.alloc(n, n % 251);
      expect(hex(keccakSponge256(data, 0x06)), `length ${n}`).toBe(createHash('sha3-256').update(data).digest('hex'));
    }
  });
});

describe('crypto wallet checksums', () => {
  it('base58check accepts P2PKH and P2SH addresses and rejects a changed character', () => {
    expect(base58CheckDecode('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')?.[0]).toBe(0x00);
    expect(base58CheckDecode('3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')?.[0]).toBe(0x05);
    expect(base58CheckDecode('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toBeNull();
    expect(base58CheckDecode('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0')).toBeNull(); // '0' is not base58
  });
  it('bech32 (v0) and bech32m (v1) SegWit addresses', () => {
    expect(segwitAddressValid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', ['bc'])).toBe(true);
    expect(segwitAddressValid('BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', ['bc'])).toBe(true);
    expect(segwitAddressValid('bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297', ['bc'])).toBe(true);
    expect(bech32Decode('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')?.encoding).toBe('bech32');
  });
  it('rejects a changed character, mixed case and a v0 program with a bech32m checksum', () => {
    expect(segwitAddressValid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr', ['bc'])).toBe(false);
    expect(segwitAddressValid('bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', ['bc'])).toBe(false);
    // BIP-350 invalid vector: witness v0 encoded with bech32m.
    expect(segwitAddressValid('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', ['bc'])).toBe(false);
    expect(segwitAddressValid('tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', ['bc'])).toBe(false); // other network
  });
  it('EIP-55 accepts the published mixed-case examples and rejects one flipped letter', () => {
    for (const a of ['5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', 'dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', 'D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb']) {
      expect(eip55Valid(a), a).toBe(true);
    }
    expect(eip55Valid('5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toBe(false);
  });
});
