/**
 * Held-out labelled cases: written after the detectors were tuned on the development set
 * (pii-cases-*.ts) and not used to tune them, so their numbers estimate behaviour on unseen
 * text. docs/pipeline.md reports both sets separately.
 */
import { c, type PiiCase } from './pii-case.ts';

const JWT_HS512 =
  'eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1Xzg4MTIiLCJyb2xlIjoiYWRtaW4iLCJleHAiOjE3NjcyMjU2MDB9.WG8XL2BscbFu9ZYi49SbIz0-516fuIKYRSPuwiPSVqx25VKp-h9rP58TVA7bs-sDEiN_OjJnNzlWac6511eN8w';

export const HOLDOUT_CASES: PiiCase[] = [
  // e-mail
  c('Ticket #5521 raised by priya.k@fintech-startup.io: export fails on large graphs.', ['EMAIL', 'priya.k@fintech-startup.io']),
  c('[2024-06-01 08:00:01] mailer: delivered to <marc.dupont@laposte.fr> (250 OK)', ['EMAIL', 'marc.dupont@laposte.fr']),
  c('"reviewers": ["a.nowak@example.pl", "t.nguyen@example.vn"]', ['EMAIL', 'a.nowak@example.pl'], ['EMAIL', 't.nguyen@example.vn']),
  c('Unsubscribe: list+unsubscribe@lists.example.org', ['EMAIL', 'list+unsubscribe@lists.example.org']),
  c('Author email is stored in authors.email (varchar 320).'),
  c('Use the `@latest` tag: npx create-hivegraph@latest my-app'),
  // phone
  c('UK support line +44 (0) 20 7946 0958, Mon–Fri.', ['PHONE', '+44 (0) 20 7946 0958']),
  c('call 555.123.4567 before noon', ['PHONE', '555.123.4567']),
  c('Zürich office: +41 44 668 18 00', ['PHONE', '+41 44 668 18 00']),
  c('Telefon: 089 12345678', ['PHONE', '089 12345678']),
  c('mobile=+1-202-555-0173&country=US', ['PHONE', '+1-202-555-0173']),
  c('The benchmark ran 3 times: 412 ms, 398 ms, 405 ms.'),
  c('Copyright 2019-2024 Hivegraph contributors'),
  c('Flight LH 400 departs 13:05, gate B 42, seat 31C.'),
  c('between 2.5-3.0 GB of RAM and 4-8 vCPUs'),
  // cards
  c('customer paid with 4663 9233 2146 8814 yesterday', ['CARD', '4663 9233 2146 8814']),
  c('card_number: "5197369935632720"', ['CARD', '5197369935632720']),
  c('Amex ending 709 — full number 340635817839709', ['CARD', '340635817839709']),
  c('new 2-series MC 2720-9518-1756-0484 works', ['CARD', '2720-9518-1756-0484']),
  c('Discover 6011616124906527 and JCB 3586303748625708', ['CARD', '6011616124906527'], ['CARD', '3586303748625708']),
  c('batch id 4523279282010270 imported'),
  c('gtin 00012345678905, upc 012345678905'),
  // IBAN
  c('Überweisung an DE44 5001 0517 5407 3249 31', ['IBAN', 'DE44 5001 0517 5407 3249 31']),
  c('RIB: FR76 3000 6000 0112 3456 7890 189', ['IBAN', 'FR76 3000 6000 0112 3456 7890 189']),
  c('iban=NL20INGB0001234567;bic=INGBNL2A', ['IBAN', 'NL20INGB0001234567']),
  c('Cuenta ES6000491500051234567892 (Santander)', ['IBAN', 'ES6000491500051234567892']),
  c('AT30 1200 0123 4567 8901, BE97 0012 3456 7890', ['IBAN', 'AT30 1200 0123 4567 8901'], ['IBAN', 'BE97 0012 3456 7890']),
  c('Error code DE12 3456 7890 in module GB01'),
  // national ID
  c('Applicant SSN: 318-40-2297, DOB 1990-02-14', ['NATIONAL_ID', '318-40-2297'], ['DATE_OF_BIRTH', '1990-02-14']),
  c('my social is 402-13-7788, please keep it private', ['NATIONAL_ID', '402-13-7788']),
  c('ssn 611223344', ['NATIONAL_ID', '611223344']),
  c('NI: SK 70 45 21 D', ['NATIONAL_ID', 'SK 70 45 21 D']),
  c('Room 123-45-6789? No: building 12, floor 3, desk 456.'),
  c('Serial 219-09-9999 is printed on the device label.'),
  // IP
  c('nginx upstream 172.31.45.201:443 timed out', ['IP', '172.31.45.201']),
  c('GeoIP lookup for 2a02:26f0:fd::5c is Frankfurt', ['IP', '2a02:26f0:fd::5c']),
  c('allowlist: 34.117.59.81, 35.190.247.0/24', ['IP', '34.117.59.81'], ['IP', '35.190.247.0']),
  c('inet6 fe80::a00:27ff:fe4e:66a1 prefixlen 64', ['IP', 'fe80::a00:27ff:fe4e:66a1']),
  c('client 81.169.145.92 sent a malformed request', ['IP', '81.169.145.92']),
  c('Kubernetes 1.29.4.1 and Helm 3.14.0'),
  c('Service mesh: version 2.4.0.0 rolled out'),
  c('The ratio was 4:3:2:1 over 12:00:00.'),
  // secrets
  c('aws configure set aws_access_key_id AKIAO44XRVC4YSHHEVGA', ['SECRET', 'AKIAO44XRVC4YSHHEVGA']),
  c('AWS_SECRET_ACCESS_KEY: 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', ['SECRET', 'zrjVdLc7BCtQpy8IWGx/jjSKEuytsWNcQKvWDLbd']),
  c('gh auth login --with-token <<< ghp_1PKvsLrgOQ3ntGi0Z0ALZcwNjKHeIIQr3XSF', ['SECRET', 'ghp_1PKvsLrgOQ3ntGi0Z0ALZcwNjKHeIIQr3XSF']),
  c('slack: {token: xoxb-18720743961-627186854312-hJ1LcaEL4qPr0akShZ5PFyhP}', ['SECRET', 'xoxb-18720743961-627186854312-hJ1LcaEL4qPr0akShZ5PFyhP']),
  c(
    'Stripe::Key = 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',
    ['SECRET', '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'],
  ),
  c('<meta name="maps-key" content="AIzazSsv2-UIh18GiQhJdqilw_NyK-hPA6FXBeI">', ['SECRET', 'AIzazSsv2-UIh18GiQhJdqilw_NyK-hPA6FXBeI']),
  c(`token: ${JWT_HS512}`, ['SECRET', JWT_HS512]),
  c(
    'OPENAI_KEY=sk-proj-oxM_WwMeZ4swstab2-lxwX6mRcVIpwQl2qjqDTMBlphf1VZrcriyIc4LFgTDT3BlbkFJTtR7LOyUvjO9Cx7rBYXK',
    ['SECRET', 'sk-proj-oxM_WwMeZ4swstab2-lxwX6mRcVIpwQl2qjqDTMBlphf1VZrcriyIc4LFgTDT3BlbkFJTtR7LOyUvjO9Cx7rBYXK'],
  ),
  c('CI_JOB_TOKEN is not enough, use glpat-FV6atucF0U5nbSbyUF2O', ['SECRET', 'glpat-FV6atucF0U5nbSbyUF2O']),
  c('echo "//registry.npmjs.org/:_authToken=npm_1W3OIcxcPLlBl3AFbyNKs0AD9d7v3AehVXzZ" > .npmrc', ['SECRET', 'npm_1W3OIcxcPLlBl3AFbyNKs0AD9d7v3AehVXzZ']),
  c('spring.datasource.password=Qw3rty!234', ['SECRET', 'Qw3rty!234']),
  c('mongodb+srv://svc_app:Fz9%40kLm2@cluster0.abcde.mongodb.net/prod', ['SECRET', 'Fz9%40kLm2']),
  c('-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQD\n-----END DSA PRIVATE KEY-----', ['SECRET', '-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQD\n-----END DSA PRIVATE KEY-----']),
  c('Set SECRET_KEY in settings.py; never commit it.'),
  c('The password reset token expires after 15 minutes.'),
  c('hash = sha1("password") # e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4'),
  c('Use `kubectl get secret db-creds -o jsonpath="{.data.password}"`'),
  // person
  c('Contact person: Ingrid Johansson (facilities)', ['PERSON', 'Ingrid Johansson']),
  c('Dr. Wang Fang presented the results.', ['PERSON', 'Wang Fang']),
  c('Sincerely,\nDavid Levi\nHead of Data', ['PERSON', 'David Levi']),
  c('Reported-by: Ana María Torres', ['PERSON', 'Ana María Torres']),
  c('Yesterday Fiona Gallagher merged the fix.', ['PERSON', 'Fiona Gallagher']),
  c('Owner: Search Infra'),
  c('From: Jenkins CI <ci@build.example.com>', ['EMAIL', 'ci@build.example.com']),
  c('Dear Hiring Manager,'),
  // mixed
  c(
    'Hi, I am Lena Fischer (lena.fischer@example.de, +49 151 23456789). My card 4663923321468814 was charged twice.',
    ['PERSON', 'Lena Fischer'],
    ['EMAIL', 'lena.fischer@example.de'],
    ['PHONE', '+49 151 23456789'],
    ['CARD', '4663923321468814'],
  ),
  c(
    'POST /v1/contributions 201 12ms ip=198.51.100.23 user=u_8812 sha=3f7868 size=2.4KB',
    ['IP', '198.51.100.23'],
  ),
];
