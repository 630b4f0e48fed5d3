/**
 * Crypto wallet addresses, each validated by its own checksum: Base58Check (Bitcoin P2PKH /
 * P2SH, Litecoin, Dogecoin, Tron, testnets; double SHA-256), Bech32 / Bech32m segwit
 * addresses (BIP 173 / 350) and Ethereum addresses (EIP-55 mixed-case checksum; an all-lower
 * or all-upper address has none, so it needs a wallet word before it).
 */
import type { PiiMatch } from './pii.ts';
import { base58CheckVersion, eip55Valid, segwitHrp } from './pii-checksums.ts';
import { before, matchesOf } from './pii-text.ts';

const BASE58_ADDRESS = /(?<![A-Za-z0-9])[13LMDA9Tmn2][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/g;
/** Version bytes of 21-byte Base58Check payloads that are addresses. */
const ADDRESS_VERSIONS = new Set([0x00, 0x05, 0x30, 0x32, 0x1e, 0x16, 0x41, 0x6f, 0xc4]);
const SEGWIT_ADDRESS = /(?<![A-Za-z0-9])(?:bc|tb|bcrt|ltc|tltc)1[ac-hj-np-z02-9]{6,87}(?![A-Za-z0-9])/gi;
const SEGWIT_HRPS = new Set(['bc', 'tb', 'bcrt', 'ltc', 'tltc']);
const ETH_ADDRESS = /(?<![A-Za-z0-9])0x([0-9a-fA-F]{40})(?![A-Za-z0-9])/g;
/** Words before an unchecksummed (single-case) Ethereum address that say it is an account. */
const ETH_CONTEXT = /(?:wallet|address|\beth\b|ether|erc-?20|usdc|usdt|send|pay|deposit|withdraw|recipient|owner|account|beneficiary|\bto\b|\bfrom\b)[^\n]{0,30}$/i;

/** Wallet addresses whose checksum verifies (see the file comment). */
export function detectCryptoWallets(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  const push = (m: RegExpExecArray) => found.push({ type: 'CRYPTO', start: m.index, end: m.index + m[0].length });
  for (const m of matchesOf(BASE58_ADDRESS, text)) {
    const version = base58CheckVersion(m[0]);
    if (version !== null && ADDRESS_VERSIONS.has(version)) push(m);
  }
  for (const m of matchesOf(SEGWIT_ADDRESS, text)) {
    const hrp = segwitHrp(m[0]);
    if (hrp !== null && SEGWIT_HRPS.has(hrp)) push(m);
  }
  for (const m of matchesOf(ETH_ADDRESS, text)) {
    const hex = m[1]!;
    const singleCase = hex === hex.toLowerCase() || hex === hex.toUpperCase();
    if (singleCase ? /[0-9]/.test(hex) && /[a-fA-F]/.test(hex) && ETH_CONTEXT.test(before(text, m.index, 40)) : eip55Valid(hex)) push(m);
  }
  return found;
}
