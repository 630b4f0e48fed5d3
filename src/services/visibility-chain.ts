/**
 * The precedence chain that decides a new artifact's visibility (createArtifact,
 * createArtifacts, contribute / contributeMany → approval):
 *
 * 1. EXPLICIT — the request's own `visibility` (and `sharedWithGroupIds`);
 * 2. SESSION  — the override set with `setSessionVisibility` for the request's `sessionId`
 *               (this instance's memory, until HIVEGRAPH_SESSION_OVERRIDE_TTL);
 * 3. RULE     — the owner's highest-priority sharing rule whose set match fields all hold
 *               (codebase, tag ∈ tags, kind, the calling API key); ties: the most match fields
 *               set, then the oldest;
 * 4. DEFAULT  — the owner's `defaultVisibility`.
 *
 * An override or rule naming a group its owner no longer belongs to is passed over. The chain
 * runs once, at creation: a rule never changes an existing artifact.
 */
import { BadUserInputError } from '../shared/errors.ts';
import type { SharingRuleRecord, Visibility, VisibilitySource } from '../store/records.ts';
import { applicableSharingRules, getDefaultVisibilities, memberGroupIds } from '../store/repositories/sharing-rules.repo.ts';
import type { Queryable } from '../store/types.ts';
import type { SessionOverrides } from './session-overrides.ts';

/** What a new artifact is, as far as rules match on it. */
export interface ArtifactFacts {
  codebase: string | null;
  tags: readonly string[];
  kind: string;
  /** The API key of the request creating it. */
  apiKeyId: string | null;
}

/** The chain's answer. */
export interface ResolvedVisibility {
  visibility: Visibility;
  groupIds: string[];
  source: VisibilitySource;
  /** The rule that decided it (source RULE). */
  ruleId: string | null;
}

/** How many match fields a rule sets: its specificity. */
export function ruleSpecificity(rule: Pick<SharingRuleRecord, 'codebase' | 'tag' | 'kind' | 'apiKeyId'>): number {
  return [rule.codebase, rule.tag, rule.kind, rule.apiKeyId].filter((v) => v !== null).length;
}

/** Whether every match field `rule` sets holds for `facts`. */
export function ruleMatches(rule: Pick<SharingRuleRecord, 'codebase' | 'tag' | 'kind' | 'apiKeyId'>, facts: ArtifactFacts): boolean {
  return (
    (rule.codebase === null || rule.codebase === facts.codebase) &&
    (rule.tag === null || facts.tags.includes(rule.tag)) &&
    (rule.kind === null || rule.kind === facts.kind) &&
    (rule.apiKeyId === null || rule.apiKeyId === facts.apiKeyId)
  );
}

/**
 * The rule that decides, of `rules`: the highest priority among the matching ones; ties go to
 * the most specific, then the oldest (createdAt, then seq).
 */
export function pickSharingRule<R extends SharingRuleRecord>(rules: readonly R[], facts: ArtifactFacts): R | undefined {
  let best: R | undefined;
  for (const rule of rules) {
    if (!ruleMatches(rule, facts)) continue;
    if (!best || outranks(rule, best)) best = rule;
  }
  return best;
}

function outranks(a: SharingRuleRecord, b: SharingRuleRecord): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const specificity = ruleSpecificity(a) - ruleSpecificity(b);
  if (specificity !== 0) return specificity > 0;
  const age = a.createdAt.getTime() - b.createdAt.getTime();
  if (age !== 0) return age < 0;
  return a.seq < b.seq;
}

/** One creation request's part in the chain. */
export interface ChainRequest {
  orgId: string;
  ownerId: string;
  /** The request's visibility; null or undefined: not given. */
  visibility: Visibility | null | undefined;
  /** The request's groups (only with an explicit GROUP visibility). */
  groupIds: readonly string[];
  sessionId: string | null;
  facts: ArtifactFacts;
}

/**
 * A resolver for one transaction: rules, defaults and memberships are read once per owner and
 * reused by every item of a batch.
 */
export function createVisibilityResolver(tx: Queryable, overrides: SessionOverrides): (request: ChainRequest) => Promise<ResolvedVisibility> {
  const rulesOf = new Map<string, Promise<SharingRuleRecord[]>>();
  const defaultOf = new Map<string, Promise<Visibility | undefined>>();
  return async (request) => {
    if (request.visibility !== null && request.visibility !== undefined) {
      return { visibility: request.visibility, groupIds: [...new Set(request.groupIds)], source: 'EXPLICIT', ruleId: null };
    }
    if (request.groupIds.length > 0) {
      throw new BadUserInputError('sharedWithGroupIds needs visibility: GROUP in the same request.', 'sharedWithGroupIds');
    }
    const { orgId, ownerId } = request;
    if (request.sessionId !== null) {
      const override = overrides.get(orgId, ownerId, request.sessionId);
      if (override && (await memberGroupIds(tx, orgId, ownerId, override.groupIds)).size === override.groupIds.length) {
        return { visibility: override.visibility, groupIds: override.groupIds, source: 'SESSION', ruleId: null };
      }
    }
    if (!rulesOf.has(ownerId)) rulesOf.set(ownerId, applicableSharingRules(tx, orgId, ownerId));
    const rule = pickSharingRule(await rulesOf.get(ownerId)!, request.facts);
    if (rule) return { visibility: rule.visibility, groupIds: [...rule.sharedWithGroupIds], source: 'RULE', ruleId: rule.id };
    if (!defaultOf.has(ownerId)) defaultOf.set(ownerId, getDefaultVisibilities(tx, orgId, [ownerId]).then((rows) => rows[0]));
    return { visibility: (await defaultOf.get(ownerId)) ?? 'PRIVATE', groupIds: [], source: 'DEFAULT', ruleId: null };
  };
}
