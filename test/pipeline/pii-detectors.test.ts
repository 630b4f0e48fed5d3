/**
 * One block per detector: what it takes (with the exact span) and the look-alikes it leaves
 * alone. The decisions documented in docs/pipeline.md are pinned here.
 */
import { describe, expect, it } from 'vitest';
import { findPii, type PiiType } from '../../src/pipeline/pii.ts';

/** The values `findPii` finds in `text` for one type. */
function found(type: PiiType, text: string): string[] {
  return findPii(text, { types: [type] }).map((m) => text.slice(m.start, m.end));
}

const jwt = (header: object) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from('{"sub":"42"}').toString('base64url')}.c2lnbmF0dXJlLWJ5dGVz`;

describe('EMAIL', () => {
  it.each([
    ['a@example.com (example addresses are addresses)', 'a@example.com'],
    ['<jane.doe+tag@mail.example.co.uk>', 'jane.doe+tag@mail.example.co.uk'],
    ['email=new.user%40example.com&x=1', 'new.user%40example.com'],
    ['End of sentence: ops@example.org.', 'ops@example.org'],
  ])('finds it in %s', (text, value) => expect(found('EMAIL', text)).toEqual([value]));
  it.each([
    'logo@2x.png',
    'git@github.com:org/repo.git',
    'npm i lodash@4.17.21 @types/node',
    'ssh root@localhost',
    '@media screen and @Component()',
    'handle @jane_doe',
  ])('leaves %s alone', (text) => expect(found('EMAIL', text)).toEqual([]));
});

describe('PHONE', () => {
  it.each([
    ['+44 20 7946 0958', '+44 20 7946 0958'],
    ['+1 (415) 555-2671', '+1 (415) 555-2671'],
    ['0049 30 1234567', '0049 30 1234567'],
    ['(415) 555-2671', '(415) 555-2671'],
    ['415-555-2671', '415-555-2671'],
    ['415.555.2671', '415.555.2671'],
    ['tel:+442079460958', '+442079460958'],
    ['Tel: 020 7946 0958', '020 7946 0958'],
    ['call me on 07700 900123', '07700 900123'],
  ])('finds %s', (text, value) => expect(found('PHONE', text)).toEqual([value]));
  it.each([
    ['a date', 'released 2024-01-15'],
    ['a European date', 'on 15.01.2024'],
    ['a time range', 'from 10:30-11:45'],
    ['a page range', 'pages 1200-1350'],
    ['a version', 'v10.0.19041.1'],
    ['an order number', 'Order #100234567'],
    ['an invoice number', 'INV-2024-00042'],
    ['an ISBN', 'ISBN 978-0-596-52068-7'],
    ['a thousands-grouped number after "call"', 'call stack depth 1 000 000'],
    ['national digits without a phone word', 'shipment 020 7946 0958'],
    ['a North American number glued to a word', 'ID-415-555-2671'],
    ['an IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['a card number', '4242 4242 4242 4242'],
    ['a timestamp', '1705312800123'],
  ])('leaves %s alone', (_what, text) => expect(found('PHONE', text)).toEqual([]));
});

describe('CARD', () => {
  it.each([
    ['4242 4242 4242 4242 (a test card is a card number)', '4242 4242 4242 4242'],
    ['5555-5555-5555-4444', '5555-5555-5555-4444'],
    ['pan=378282246310005;', '378282246310005'],
    ['Amex 3782 822463 10005', '3782 822463 10005'],
    ['ref 12 4242 4242 4242 4242', '4242 4242 4242 4242'],
  ])('finds it in %s', (text, value) => expect(found('CARD', text)).toEqual([value]));
  it.each([
    ['a bad Luhn digit', '4242 4242 4242 4241'],
    ['an unknown issuer prefix', '1234 5678 1234 5670'],
    ['mixed separators', '4242-4242 4242 4242'],
    ['an odd layout', '424 24242 4242 4242'],
    ['a signed number', '+4242424242424242'],
    ['digits glued to a word', 'ORD4242424242424242'],
    ['part of a longer number', '42424242424242420000'],
    ['a decimal', '4242424242424242.50'],
    ['the last four digits', 'card ending 4242'],
  ])('leaves %s alone', (_what, text) => expect(found('CARD', text)).toEqual([]));
});

describe('IBAN', () => {
  it.each([
    ['DE89370400440532013000', 'DE89370400440532013000'],
    ['to DE89 3704 0044 0532 0130 00 today', 'DE89 3704 0044 0532 0130 00'],
    ['GB82 WEST 1234 5698 7654 32 BIC NWBKGB2L', 'GB82 WEST 1234 5698 7654 32'],
    ['irregular grouping DE89 37040044 0532013000', 'DE89 37040044 0532013000'],
  ])('finds it in %s', (text, value) => expect(found('IBAN', text)).toEqual([value]));
  it.each([
    ['a bad check digit', 'DE89370400440532013001'],
    ['one character too many', 'DE893704004405320130001'],
    ['lower case', 'de89370400440532013000'],
    ['double spaces', 'DE89  3704 0044 0532 0130 00'],
    ['a too short tail', 'DE89 3704 0044 0532 0130 0'],
  ])('leaves %s alone', (_what, text) => expect(found('IBAN', text)).toEqual([]));
});

describe('NATIONAL_ID', () => {
  it.each([
    ['123-45-6789', '123-45-6789'],
    ['SSN: 123 45 6789', '123 45 6789'],
    ['ssn=123456789', '123456789'],
    ['ITIN 912-70-1234', '912-70-1234'],
    ['AB 12 34 56 C', 'AB 12 34 56 C'],
    ['NI number: AB123456C', 'AB123456C'],
  ])('finds it in %s', (text, value) => expect(found('NATIONAL_ID', text)).toEqual([value]));
  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx outside the ITIN groups', '912-34-5678'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['an order number', 'order 123-45-6789'],
    ['a phone-context number', 'call 123-45-6789'],
    ['spaces without context', 'code 123 45 6789'],
    ['nine digits without context', 'id 123456789'],
    ['a compact NINO without context', 'Part AB123456C'],
    ['a never-issued NINO prefix', 'QQ 12 34 56 C'],
    ['a date', '2024-45-6789'],
  ])('leaves %s alone', (_what, text) => expect(found('NATIONAL_ID', text)).toEqual([]));
});

describe('IP', () => {
  it.each([
    ['from 203.0.113.42', '203.0.113.42'],
    ['10.1.2.3:9000 (port stays)', '10.1.2.3'],
    ['10.0.0.0/8 (prefix length stays)', '10.0.0.0'],
    ['root@10.0.0.5', '10.0.0.5'],
    ['2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:0db8:0000:0000:0000:ff00:0042:8329'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['::ffff:192.0.2.128', '::ffff:192.0.2.128'],
  ])('finds it in %s', (text, value) => expect(found('IP', text)).toEqual([value]));
  it.each([
    ['a 3-part version', 'node 1.2.3'],
    ['a 5-part version', 'build 10.0.19041.1.2'],
    ['a v-prefixed 4-part version', 'v1.2.3.4'],
    ['a version-worded 4-part version', 'version 1.2.3.4'],
    ['a pinned 4-part version', 'pkg==1.2.3.4'],
    ['a section number', 'section 2.4.1.3'],
    ['invalid octets', '999.1.1.1'],
    ['leading zeros', '10.01.2024.1'],
    ['loopback and unspecified', '127.0.0.1 0.0.0.0 ::1 ::'],
    ['a netmask', '255.255.255.0'],
    ['a SHA-1', '3f786850e387550fdab836ed7e6dc881de23001b'],
    ['a time', '12:34:56'],
    ['a MAC address', '00:1A:2B:3C:4D:5E'],
    ['a C++ scope', 'std::vector'],
    ['a slice', 'a[10::100]'],
  ])('leaves %s alone', (_what, text) => expect(found('IP', text)).toEqual([]));
});

describe('SECRET', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    [`ghp_${'a1B2'.repeat(9)}`, `ghp_${'a1B2'.repeat(9)}`],
    [`github_pat_${'A1b2_'.repeat(10)}`, `github_pat_${'A1b2_'.repeat(10)}`],
    ['xoxb-1234567890-abcdefghijKL', 'xoxb-1234567890-abcdefghijKL'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    [`sk-proj-${'Ab3_'.repeat(10)}`, `sk-proj-${'Ab3_'.repeat(10)}`],
    [`AIza${'Sy0-'.repeat(8)}abc`, `AIza${'Sy0-'.repeat(8)}abc`],
    [jwt({ alg: 'HS256', typ: 'JWT' }), jwt({ alg: 'HS256', typ: 'JWT' })],
    ['password=hunter2 (value only)', 'hunter2'],
    ['"client_secret": "s3cr3t value"', 's3cr3t value'],
    ['DB_PASSWORD=CorrectHorse', 'CorrectHorse'],
    ['postgres://app:pw123@db/app', 'pw123'],
    ['Authorization: Bearer abcDEF123456ghiJKL', 'abcDEF123456ghiJKL'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['the secret key is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ])('finds it in %s', (text, value) => expect(found('SECRET', text)).toEqual([value]));
  it('redacts an AWS secret access key written next to its key id, not only the id (issue 20)', () => {
    const text = 'AKIAIOSFODNN7EXAMPLE with secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(found('SECRET', text)).toEqual(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    expect(found('SECRET', 'id AKIAIOSFODNN7EXAMPLE\nkey wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toHaveLength(2);
  });
  it('leaves a git SHA-1 next to an AWS key id alone', () => {
    expect(found('SECRET', 'AKIAIOSFODNN7EXAMPLE rotated in commit 3f786850e387550fdab836ed7e6dc881de23001b')).toEqual(['AKIAIOSFODNN7EXAMPLE']);
  });
  it('takes a PEM private key block whole, and a truncated one up to its last base64 line', () => {
    const block = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\nabc+/=\n-----END RSA PRIVATE KEY-----';
    expect(found('SECRET', `key:\n${block}\nafter`)).toEqual([block]);
    expect(found('SECRET', '-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAK\nabc+/=\n\nthe rest was cut')).toEqual([
      '-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAK\nabc+/=',
    ]);
  });
  it.each([
    ['a header without alg', jwt({ typ: 'JWT' })],
    ['a publishable Stripe key', 'pk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['a public key block', '-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----'],
    ['a masked value', 'password: ********'],
    ['a variable reference', 'password: ${DB_PASSWORD}'],
    ['a type annotation', 'password: string;'],
    ['code reading a field', 'const password = req.body.password;'],
    ['a count', 'max_token: 4096'],
    ['a placeholder', 'api_key: <your-api-key>'],
    ['an already scrubbed value', 'password=[SECRET]'],
    ['a kebab-case word after sk-', 'sk-learn-is-a-python-library-for-ml'],
    ['a comparison', 'if (password == "") return'],
    ['docker user:group', 'docker run -u 1000:1000 img'],
  ])('leaves %s alone', (_what, text) => expect(found('SECRET', text)).toEqual([]));
});

describe('PERSON (context-anchored, or a known given name and a surname)', () => {
  it.each([
    ['Mr. John Smith', 'John Smith'],
    ['Dr. Okafor', 'Okafor'],
    ['Name: Jane Doe', 'Jane Doe'],
    ['From: Jane Doe <j@example.com>', 'Jane Doe'],
    ['Signed-off-by: Greg Kroah-Hartman', 'Greg Kroah-Hartman'],
    ['Regards,\nHannah Schmidt', 'Hannah Schmidt'],
    ['Account holder: Ludwig van Beethoven', 'Ludwig van Beethoven'],
    ['I paired with Jane Doe today.', 'Jane Doe'],
    ['A plain John Smith in prose', 'John Smith'],
    ['Yesterday Fiona Gallagher merged the fix.', 'Fiona Gallagher'],
    ['ask John A. Smith first', 'John A. Smith'],
  ])('finds it in %s', (text, value) => expect(found('PERSON', text)).toEqual([value]));
  it.each([
    ['a given name before a function word', 'Ask Maria And the team'],
    ['a given name that is also a word (left out of the list)', 'Will Deploy run? Mark Down the cost. Grant Access first.'],
    ['a language named like a person', 'Julia Computing and Ruby Gems'],
    ['a given name alone', 'Thanks, John.'],
    ['a given name before a non-name word', 'John Street is closed; Maria Team owns it.'],
    ['a one-word name after a label', 'Name: Jane'],
    ['a team after a label', 'Owner: Platform Team'],
    ['an organisation after a label', 'Author: Apache Software Foundation'],
    ['an already scrubbed name', 'Name: [PERSON]'],
  ])('leaves %s alone', (_what, text) => expect(found('PERSON', text)).toEqual([]));
});

describe('overlaps: the more specific detection wins', () => {
  it('a password in a URL is a SECRET, and the host is no e-mail address', () => {
    expect(findPii('https://deploy:pw123@build.example.com/x').map((m) => m.type)).toEqual(['SECRET']);
  });
  it('a card number is not a PHONE, even when only phones are requested', () => {
    expect(findPii('4242 4242 4242 4242', { types: ['PHONE'] })).toEqual([]);
    expect(findPii('+4915112345678').map((m) => m.type)).toEqual(['PHONE']);
  });
  it('an IBAN is not a PHONE or a CARD', () => {
    expect(findPii('DE89 3704 0044 0532 0130 00').map((m) => m.type)).toEqual(['IBAN']);
  });
  it('a secret assignment whose value looks like an e-mail address is one SECRET', () => {
    expect(findPii('password: "jane@example.com!1"').map((m) => m.type)).toEqual(['SECRET']);
  });
});
