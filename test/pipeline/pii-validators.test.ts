import { describe, expect, it } from 'vitest';
import {
  cardPrefixPlausible,
  IBAN_LENGTHS,
  ibanValid,
  ipv4IsNonIdentifying,
  itinValid,
  jwtHeaderValid,
  luhnValid,
  ninoPrefixValid,
  parseIpv4,
  parseIpv6,
  ssnValid,
} from '../../src/pipeline/pii-validators.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('luhnValid', () => {
  it.each(['4242424242424242', '4111111111111111', '378282246310005', '6011111111111117', '30569309025904', '79927398713'])(
    'accepts %s',
    (n) => expect(luhnValid(n)).toBe(true),
  );
  it.each(['4242424242424241', '4111111111111112', '1234567812345678', '79927398710'])('rejects %s', (n) => expect(luhnValid(n)).toBe(false));
  it('rejects anything but digits', () => {
    expect(luhnValid('4242 4242 4242 4242')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('0')).toBe(false);
  });
  it('catches every single-digit typo of a valid number', () => {
    const valid = '4012888888881881';
    for (let i = 0; i < valid.length; i += 1) {
      for (let d = 0; d <= 9; d += 1) {
        const typo = valid.slice(0, i) + String(d) + valid.slice(i + 1);
        if (typo !== valid) expect(luhnValid(typo), typo).toBe(false);
      }
    }
  });
});

describe('cardPrefixPlausible', () => {
  it.each([
    ['Visa 16', '4242424242424242'],
    ['Visa 13', '4222222222222'],
    ['Mastercard 51–55', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Amex', '378282246310005'],
    ['Discover', '6011111111111117'],
    ['Diners', '30569309025904'],
    ['JCB', '3530111333300000'],
    ['UnionPay', '6200000000000005'],
    ['Maestro', '6304000000000000'],
    ['Dankort', '5019717010103742'],
  ])('accepts %s', (_name, n) => expect(cardPrefixPlausible(n)).toBe(true));
  it.each([
    ['unknown prefix 1', '1234567812345670'],
    ['unknown prefix 9', '9007199254740992'],
    ['Visa of 15 digits', '424242424242424'],
    ['Amex of 16 digits', '3782822463100050'],
    ['Mastercard of 19 digits', '5555555555554444000'],
  ])('rejects %s', (_name, n) => expect(cardPrefixPlausible(n)).toBe(false));
});

describe('ibanValid (ISO 13616 mod 97 and country length)', () => {
  it.each(['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NO9386011117947', 'MT84MALT011000012345MTLCAST001S'])(
    'accepts %s',
    (iban) => expect(ibanValid(iban)).toBe(true),
  );
  it('rejects a wrong check digit, a wrong length, an unknown country, lower case and spaces', () => {
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ibanValid('XX89370400440532013000')).toBe(false);
    expect(ibanValid('de89370400440532013000')).toBe(false);
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(false);
  });
  it('catches swapped adjacent characters', () => {
    expect(ibanValid('DE89370400440532031000')).toBe(false);
    expect(ibanValid('GB82WEST12345698765423')).toBe(false);
  });
  it('knows the registry lengths', () => {
    expect(IBAN_LENGTHS.DE).toBe(22);
    expect(IBAN_LENGTHS.NO).toBe(15);
    expect(IBAN_LENGTHS.LC).toBe(32);
  });
});

describe('ssnValid / itinValid (US rules)', () => {
  it('accepts SSNs within the rules', () => {
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('001', '01', '0001')).toBe(true);
    expect(ssnValid('665', '99', '9999')).toBe(true);
  });
  it.each([
    ['area 000', '000', '12', '3456'],
    ['area 666', '666', '12', '3456'],
    ['area 9xx', '912', '34', '5678'],
    ['group 00', '123', '00', '4567'],
    ['serial 0000', '123', '45', '0000'],
    ['the voided Woolworth number', '078', '05', '1120'],
  ])('rejects %s', (_name, a, g, s) => expect(ssnValid(a, g, s)).toBe(false));
  it('accepts ITINs only in the 9xx area with their group ranges', () => {
    expect(itinValid('912', '70', '1234')).toBe(true);
    expect(itinValid('999', '99', '0000')).toBe(true);
    expect(itinValid('912', '34', '5678')).toBe(false);
    expect(itinValid('912', '93', '5678')).toBe(false);
    expect(itinValid('123', '70', '1234')).toBe(false);
  });
});

describe('ninoPrefixValid (UK National Insurance)', () => {
  it('accepts issued prefixes and rejects the excluded ones', () => {
    for (const p of ['AB', 'JG', 'CE', 'PR', 'SK']) expect(ninoPrefixValid(p), p).toBe(true);
    for (const p of ['QQ', 'DA', 'FA', 'AO', 'BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']) expect(ninoPrefixValid(p), p).toBe(false);
  });
});

describe('IPv4 parsing', () => {
  it('parses dotted quads without leading zeros', () => {
    expect(parseIpv4('192.168.1.10')).toBe(0xc0a8010a);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('256.1.1.1')).toBeNull();
    expect(parseIpv4('01.2.3.4')).toBeNull();
    expect(parseIpv4('1.2.3')).toBeNull();
    expect(parseIpv4('1.2.3.4.5')).toBeNull();
  });
  it('treats unspecified, loopback, broadcast and netmasks as non-identifying', () => {
    for (const ip of ['0.0.0.0', '127.0.0.1', '127.255.0.9', '255.255.255.255', '255.255.255.0', '255.255.240.0', '255.0.0.0']) {
      expect(ipv4IsNonIdentifying(parseIpv4(ip)!), ip).toBe(true);
    }
    for (const ip of ['10.0.0.1', '192.168.1.1', '8.8.8.8', '255.1.2.3', '128.0.0.1']) {
      expect(ipv4IsNonIdentifying(parseIpv4(ip)!), ip).toBe(false);
    }
  });
});

describe('parseIpv6', () => {
  it('expands full, compressed and IPv4-tailed forms to 8 groups', () => {
    expect(parseIpv6('2001:0db8:0000:0000:0000:ff00:0042:8329')).toHaveLength(8);
    expect(parseIpv6('2001:db8::1')).toEqual(['2001', 'db8', '', '', '', '', '', '1']);
    expect(parseIpv6('::1')).toEqual(['', '', '', '', '', '', '', '1']);
    expect(parseIpv6('::ffff:192.0.2.128')).toEqual(['', '', '', '', '', 'ffff', 'v4', 'v4']);
  });
  it('rejects malformed addresses', () => {
    for (const s of ['1::2::3', '12345::1', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '::ffff:300.1.1.1', '1:2:3:4:5:6:7::8:9']) {
      expect(parseIpv6(s), s).toBeNull();
    }
  });
});

describe('jwtHeaderValid', () => {
  it('wants base64url JSON with a string alg', () => {
    expect(jwtHeaderValid(b64url({ alg: 'HS256', typ: 'JWT' }))).toBe(true);
    expect(jwtHeaderValid(b64url({ alg: 'none' }))).toBe(true);
    expect(jwtHeaderValid(b64url({ typ: 'JWT' }))).toBe(false);
    expect(jwtHeaderValid(b64url({ alg: 256 }))).toBe(false);
    expect(jwtHeaderValid(b64url('alg'))).toBe(false);
    expect(jwtHeaderValid('eyJub3QganNvbg')).toBe(false);
    expect(jwtHeaderValid('eyJ+/=')).toBe(false);
  });
});
