/**
 * The checksums behind the issue-21 detectors, on published test vectors: Keccak-256 and
 * EIP-55 (the EIP's own examples), Base58Check and Bech32/Bech32m addresses, NHS mod 11,
 * the ICAO 9303 MRZ check digit (the specimen passport of ICAO Doc 9303), calendar dates and
 * Shannon entropy.
 */
import { describe, expect, it } from 'vitest';
import {
  base58CheckEncode,
  base58CheckVersion,
  calendarDateValid,
  eip55Valid,
  keccak256Hex,
  mrzCheckDigit,
  nhsNumberValid,
  segwitEncode,
  segwitHrp,
  shannonEntropy,
} from '../../src/pipeline/pii-checksums.ts';

describe('wallet checksums', () => {
  it('Keccak-256 is the original (not SHA3) padding', () => {
    expect(keccak256Hex('')).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(keccak256Hex('abc')).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it.each(['5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', 'dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', 'D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb'])(
    'EIP-55 accepts %s and rejects it with one letter re-cased',
    (address) => {
      expect(eip55Valid(address)).toBe(true);
      const i = address.search(/[a-f]/);
      expect(eip55Valid(address.slice(0, i) + address[i]!.toUpperCase() + address.slice(i + 1))).toBe(false);
    },
  );

  it('Base58Check: P2PKH / P2SH versions, a changed character fails, encoding round-trips', () => {
    expect(base58CheckVersion('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(0);
    expect(base58CheckVersion('3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')).toBe(5);
    expect(base58CheckVersion('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toBeNull();
    expect(base58CheckVersion('0OIl')).toBeNull();
    const payload = Uint8Array.from({ length: 20 }, (_, i) => i * 7);
    expect(base58CheckVersion(base58CheckEncode(0x30, payload))).toBe(0x30);
  });

  it('Bech32 (v0) and Bech32m (v1) segwit addresses; mixed case and bad checksums fail', () => {
    expect(segwitHrp('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe('bc');
    expect(segwitHrp('bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0')).toBe('bc');
    expect(segwitHrp('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr')).toBeNull();
    expect(segwitHrp('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdQ')).toBeNull();
    const program = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    expect(segwitHrp(segwitEncode('tb', 1, program))).toBe('tb');
  });
});

describe('identity checksums', () => {
  it('NHS numbers: mod 11, a check value of 10 is never issued', () => {
    expect(nhsNumberValid('9434765919')).toBe(true);
    expect(nhsNumberValid('9434765918')).toBe(false);
    expect(nhsNumberValid('943476591')).toBe(false);
  });

  it('MRZ check digits of the ICAO specimen: number L898902C3 → 6, birth 740812 → 2, expiry 120415 → 9', () => {
    expect(mrzCheckDigit('L898902C3')).toBe(6);
    expect(mrzCheckDigit('740812')).toBe(2);
    expect(mrzCheckDigit('120415')).toBe(9);
  });

  it('calendar dates: month lengths and leap years', () => {
    expect(calendarDateValid(2000, 2, 29)).toBe(true);
    expect(calendarDateValid(1900, 2, 29)).toBe(false);
    expect(calendarDateValid(1985, 4, 31)).toBe(false);
    expect(calendarDateValid(1985, 13, 1)).toBe(false);
    expect(calendarDateValid(1850, 1, 1)).toBe(false);
  });

  it('Shannon entropy in bits per character', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
