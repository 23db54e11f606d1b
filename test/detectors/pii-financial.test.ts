import { describe, expect, it } from 'vitest';
import { confidenceOf, found, scan } from './pii-test-support.js';

describe('CREDIT_CARD', () => {
  it('finds Luhn-valid numbers of known networks, bare or grouped', () => {
    expect(found('card 4111111111111111', 'CREDIT_CARD')).toEqual(['4111111111111111']);
    expect(found('Visa 4111 1111 1111 1111 exp 12/29', 'CREDIT_CARD')).toEqual(['4111 1111 1111 1111']);
    expect(found('MC 5555-5555-5555-4444.', 'CREDIT_CARD')).toEqual(['5555-5555-5555-4444']);
    expect(found('Amex 3782 822463 10005', 'CREDIT_CARD')).toEqual(['3782 822463 10005']);
    expect(found('Discover 6011111111111117', 'CREDIT_CARD')).toEqual(['6011111111111117']);
    expect(found('JCB 3530111333300000', 'CREDIT_CARD')).toEqual(['3530111333300000']);
  });
  it('stops at the card when another number follows', () => {
    expect(found('4111 1111 1111 1111 2029', 'CREDIT_CARD')).toEqual(['4111 1111 1111 1111']);
  });
  it('drops numbers failing Luhn, with unknown prefixes or wrong lengths', () => {
    for (const text of [
      'card 4111111111111112', // Luhn fails
      'card 4111 1111 1111 1112',
      'card 9111111111111117', // no network starts with 9 (except Troy 9792)
      'card 0000000000000000',
    ]) {
      expect(found(text, 'CREDIT_CARD'), text).toEqual([]);
    }
    // A Mastercard prefix with 15 digits: Luhn-valid but Mastercard is always 16.
    expect(found('card 555555555555557', 'CREDIT_CARD')).toEqual([]);
    // Mixed separators are two numbers, not a card.
    expect(found('4111 1111-1111 1111', 'CREDIT_CARD')).toEqual([]);
  });
  it('is not fooled by fractions or longer digit runs', () => {
    expect(found('p = 0.6511772622175621', 'CREDIT_CARD')).toEqual([]);
    expect(found('id 41111111111111111111111', 'CREDIT_CARD')).toEqual([]);
  });
  it('card words raise the confidence', () => {
    expect(confidenceOf('my credit card is 4111111111111111', 'CREDIT_CARD')).toBe(1);
    expect(confidenceOf('the value 4111111111111111', 'CREDIT_CARD')).toBeLessThan(1);
  });
});

describe('IBAN_CODE', () => {
  it('finds IBANs bare, grouped in fours and in lower case', () => {
    expect(found('IBAN: GB82WEST12345698765432', 'IBAN_CODE')).toEqual(['GB82WEST12345698765432']);
    expect(found('pay DE89 3704 0044 0532 0130 00 today', 'IBAN_CODE')).toEqual(['DE89 3704 0044 0532 0130 00']);
    expect(found('my iban is fr1420041010050500013m02606', 'IBAN_CODE')).toEqual(['fr1420041010050500013m02606']);
  });
  it('drops IBANs whose mod-97 fails or whose length does not fit the country', () => {
    expect(found('IBAN GB82WEST12345698765433', 'IBAN_CODE')).toEqual([]);
    expect(found('IBAN GB82WEST1234569876543', 'IBAN_CODE')).toEqual([]); // one short
    expect(found('IBAN ZZ82WEST12345698765432', 'IBAN_CODE')).toEqual([]); // no such country
    expect(found('IBAN DE89 37040 044 0532 0130 00', 'IBAN_CODE')).toEqual([]); // broken grouping
  });
  it('finds an IBAN right after a word that looks like its start', () => {
    expect(found('ab12 GB82 WEST 1234 5698 7654 32', 'IBAN_CODE')).toEqual(['GB82 WEST 1234 5698 7654 32']);
  });
});

describe('CRYPTO', () => {
  it('finds Bitcoin (base58check and bech32/bech32m) and Ethereum addresses', () => {
    expect(found('send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'CRYPTO')).toEqual(['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']);
    expect(found('p2sh 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy.', 'CRYPTO')).toEqual(['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy']);
    expect(found('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'CRYPTO')).toHaveLength(1);
    expect(found('taproot bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297', 'CRYPTO')).toHaveLength(1);
    expect(found('eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'CRYPTO')).toHaveLength(1);
    expect(found('eth 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'CRYPTO')).toHaveLength(1);
  });
  it('drops addresses whose checksum fails', () => {
    expect(found('send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'CRYPTO')).toEqual([]);
    expect(found('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr', 'CRYPTO')).toEqual([]);
    expect(found('eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'CRYPTO')).toEqual([]); // EIP-55 fails
  });
  it('a single-case ETH address (no checksum) scores lower than a checksummed one', () => {
    expect(confidenceOf('x 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'CRYPTO')).toBeLessThan(
      confidenceOf('x 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'CRYPTO'),
    );
  });
  it('a 64-hex transaction hash is not an address', () => {
    expect(found('tx 0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b', 'CRYPTO')).toEqual([]);
  });
});

describe('US_BANK_NUMBER', () => {
  it('needs a banking word: 8–17 digits alone are not reported', () => {
    expect(found('My checking account number is 12345678901', 'US_BANK_NUMBER')).toEqual(['12345678901']);
    expect(found('bank acct 000123456789', 'US_BANK_NUMBER')).toEqual(['000123456789']);
    expect(found('The build number is 12345678901', 'US_BANK_NUMBER')).toEqual([]);
    expect(scan('Order 12345678901 shipped.')).toEqual([]);
  });
});
