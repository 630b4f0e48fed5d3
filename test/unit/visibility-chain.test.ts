/**
 * The pure parts of the visibility chain (issue 15): which sharing rule wins (match fields,
 * priority, specificity, age) and the in-memory session overrides (TTL by an injected clock,
 * per-user isolation, the size bound).
 */
import { describe, expect, it } from 'vitest';
import type { SharingRuleRecord } from '../../src/store/records.ts';
import { createSessionOverrides } from '../../src/services/session-overrides.ts';
import { pickSharingRule, ruleMatches, ruleSpecificity, type ArtifactFacts } from '../../src/services/visibility-chain.ts';

let seq = 0;
function rule(fields: Partial<SharingRuleRecord>): SharingRuleRecord {
  seq += 1;
  return {
    id: `r${seq}`,
    orgId: 'o',
    seq,
    ownerId: 'u',
    codebase: null,
    tag: null,
    kind: null,
    apiKeyId: null,
    visibility: 'ORG',
    sharedWithGroupIds: [],
    priority: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    ...fields,
  };
}

const facts: ArtifactFacts = { codebase: 'cb', tags: ['a', 'b'], kind: 'fact', apiKeyId: 'k1' };

describe('ruleMatches / ruleSpecificity', () => {
  it('every set field must hold; unset fields match anything', () => {
    expect(ruleMatches(rule({}), facts)).toBe(true);
    expect(ruleMatches(rule({ codebase: 'cb', tag: 'b', kind: 'fact', apiKeyId: 'k1' }), facts)).toBe(true);
    expect(ruleMatches(rule({ codebase: 'other' }), facts)).toBe(false);
    expect(ruleMatches(rule({ tag: 'c' }), facts)).toBe(false);
    expect(ruleMatches(rule({ kind: 'decision' }), facts)).toBe(false);
    expect(ruleMatches(rule({ apiKeyId: 'k2' }), facts)).toBe(false);
    expect(ruleMatches(rule({ codebase: 'cb' }), { ...facts, codebase: null })).toBe(false);
    expect(ruleMatches(rule({ apiKeyId: 'k1' }), { ...facts, apiKeyId: null })).toBe(false);
  });

  it('specificity counts the set match fields', () => {
    expect(ruleSpecificity(rule({}))).toBe(0);
    expect(ruleSpecificity(rule({ codebase: 'cb', apiKeyId: 'k' }))).toBe(2);
    expect(ruleSpecificity(rule({ codebase: 'cb', tag: 't', kind: 'k', apiKeyId: 'k' }))).toBe(4);
  });
});

describe('pickSharingRule', () => {
  it('no matching rule: undefined', () => {
    expect(pickSharingRule([rule({ codebase: 'x' })], facts)).toBeUndefined();
    expect(pickSharingRule([], facts)).toBeUndefined();
  });

  it('priority first, then specificity, then age (createdAt, then seq) — whatever the input order', () => {
    const low = rule({ codebase: 'cb', tag: 'a', kind: 'fact', priority: 1 });
    const high = rule({ priority: 2 });
    const specific = rule({ codebase: 'cb', tag: 'a', priority: 2 });
    const olderSame = rule({ codebase: 'cb', kind: 'fact', priority: 2, createdAt: new Date(Date.UTC(2025, 0, 1)) });
    const sameTimeLaterSeq = rule({ codebase: 'cb', kind: 'fact', priority: 2, createdAt: new Date(Date.UTC(2025, 0, 1)) });
    const cases: [SharingRuleRecord[], SharingRuleRecord][] = [
      [[low, high], high],
      [[high, specific], specific],
      [[specific, olderSame], olderSame],
      [[sameTimeLaterSeq, olderSame], olderSame],
      [[low, high, specific, sameTimeLaterSeq, olderSame], olderSame],
    ];
    for (const [rules, winner] of cases) {
      expect(pickSharingRule(rules, facts)?.id).toBe(winner.id);
      expect(pickSharingRule([...rules].reverse(), facts)?.id).toBe(winner.id);
    }
  });
});

describe('session overrides', () => {
  it('live until the TTL has passed since they were set, then gone', () => {
    let now = 1_000_000;
    const overrides = createSessionOverrides({ ttlMs: 10_000, now: () => now });
    overrides.set('o', 'u', 's', { visibility: 'ORG', groupIds: [] });
    now += 9_999;
    expect(overrides.get('o', 'u', 's')).toEqual({ visibility: 'ORG', groupIds: [] });
    now += 1;
    expect(overrides.get('o', 'u', 's')).toBeUndefined();
    expect(overrides.size()).toBe(0);
  });

  it('setting again restarts the TTL; null clears', () => {
    let now = 0;
    const overrides = createSessionOverrides({ ttlMs: 100, now: () => now });
    overrides.set('o', 'u', 's', { visibility: 'ORG', groupIds: [] });
    now = 90;
    overrides.set('o', 'u', 's', { visibility: 'GROUP', groupIds: ['g'] });
    now = 150;
    expect(overrides.get('o', 'u', 's')).toEqual({ visibility: 'GROUP', groupIds: ['g'] });
    overrides.set('o', 'u', 's', null);
    expect(overrides.get('o', 'u', 's')).toBeUndefined();
  });

  it('are per org, user and session', () => {
    const overrides = createSessionOverrides({ ttlMs: 1000, now: () => 0 });
    overrides.set('o', 'u', 's', { visibility: 'PUBLIC', groupIds: [] });
    expect(overrides.get('o', 'v', 's')).toBeUndefined();
    expect(overrides.get('p', 'u', 's')).toBeUndefined();
    expect(overrides.get('o', 'u', 't')).toBeUndefined();
    // Keys cannot collide through separators in the session id.
    overrides.set('o', 'u', 'a","b', { visibility: 'ORG', groupIds: [] });
    expect(overrides.get('o', 'u","a', 'b')).toBeUndefined();
  });

  it('hold at most maxEntries, dropping the one set longest ago', () => {
    const overrides = createSessionOverrides({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    overrides.set('o', 'u', 's1', { visibility: 'ORG', groupIds: [] });
    overrides.set('o', 'u', 's2', { visibility: 'ORG', groupIds: [] });
    overrides.set('o', 'u', 's3', { visibility: 'ORG', groupIds: [] });
    expect(overrides.size()).toBe(2);
    expect(overrides.get('o', 'u', 's1')).toBeUndefined();
    expect(overrides.get('o', 'u', 's3')).toBeDefined();
  });

  it('a returned override is a copy: changing it changes nothing held', () => {
    const overrides = createSessionOverrides({ ttlMs: 1000, now: () => 0 });
    overrides.set('o', 'u', 's', { visibility: 'GROUP', groupIds: ['g'] });
    overrides.get('o', 'u', 's')!.groupIds.push('h');
    expect(overrides.get('o', 'u', 's')).toEqual({ visibility: 'GROUP', groupIds: ['g'] });
  });
});
