/**
 * Sharing rules (`setSharingRule`, `deleteSharingRule`, `sharingRules`) and session overrides
 * (`setSessionVisibility`): the inputs of the precedence chain in visibility-chain.ts. A rule
 * is its owner's: the owner sees and changes it, and so does an ADMIN of the org; to anyone
 * else it does not exist. A rule or override may only name groups its owner belongs to.
 */
import { BadUserInputError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { VISIBILITIES, type SharingRuleRecord, type Visibility } from '../store/records.ts';
import { existingGroupIds } from '../store/repositories/groups.repo.ts';
import {
  countSharingRules,
  deleteSharingRuleRow,
  getSharingRulesByIds,
  insertSharingRule,
  listSharingRules,
  lockSharingRule,
  memberGroupIds,
  ownKeyIds,
  updateSharingRule,
  type SharingRuleValues,
} from '../store/repositories/sharing-rules.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import type { SessionOverrides } from './session-overrides.ts';
import { FIELD_LIMITS, validKind, validTags, validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** Most rules one user may have. */
export const MAX_SHARING_RULES_PER_USER = 200;

/** Input of {@link SharingRulesService.set}; ids already decoded. */
export interface SetSharingRuleInput {
  /** Changes this rule; without it a new rule of the caller is made. */
  id?: string | null;
  codebase?: string | null;
  tag?: string | null;
  kind?: string | null;
  apiKeyId?: string | null;
  visibility: Visibility;
  groupIds?: readonly string[] | null;
  /** Higher wins; default 0. */
  priority?: number | null;
}

/** Sharing rule and session override operations. */
export interface SharingRulesService {
  /** The caller's rules, oldest first; an ADMIN gets every rule of the org. */
  list(viewer: Viewer): Promise<SharingRuleRecord[]>;
  /** Rules by id the caller may see (own, or any of the org for an ADMIN), in key order. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(SharingRuleRecord | undefined)[]>;
  /**
   * Creates a rule of the caller, or replaces the fields of rule `id` (its owner's or, for an
   * ADMIN, any of the org). One transaction.
   * @throws BAD_USER_INPUT on a bad field; NOT_FOUND for an unknown rule, group or key (another user's key reads as absent); FORBIDDEN for a group the owner does not belong to
   */
  set(viewer: Viewer, input: SetSharingRuleInput): Promise<SharingRuleRecord>;
  /** @throws NOT_FOUND unless the rule exists and the caller may see it */
  delete(viewer: Viewer, id: string): Promise<boolean>;
  /** Sets (or, with a null visibility, clears) the caller's override for session `sessionId` on this instance. */
  setSessionVisibility(viewer: Viewer, sessionId: string, visibility: Visibility | null | undefined, groupIds: readonly string[] | null | undefined): Promise<boolean>;
}

/** Creates the sharing rules service. */
export function createSharingRulesService(deps: { sql: SqlClient; overrides: SessionOverrides }): SharingRulesService {
  const { sql, overrides } = deps;
  const notFound = () => new NotFoundError('Sharing rule');
  const sees = (viewer: Viewer, rule: SharingRuleRecord) => rule.orgId === viewer.orgId && (rule.ownerId === viewer.userId || viewer.role === 'ADMIN');

  function assertMaySetRules(viewer: Viewer): void {
    if (viewer.role === 'READER') throw new ForbiddenError('READERs create nothing, so they set no sharing rules or session overrides.');
  }

  /** Checks a visibility with its groups (no I/O); returns the deduplicated groups. */
  function checkVisibility(visibility: Visibility, groupIds: readonly string[] | null | undefined, field: string): string[] {
    if (!VISIBILITIES.includes(visibility)) throw new BadUserInputError(`visibility must be one of ${VISIBILITIES.join(', ')}.`, 'visibility');
    const groups = [...new Set(groupIds ?? [])];
    if (groups.length > 0 && visibility !== 'GROUP') throw new BadUserInputError(`${field} only applies to GROUP visibility.`, field);
    if (visibility === 'GROUP' && groups.length === 0) throw new BadUserInputError(`GROUP visibility needs at least one group in ${field}.`, field);
    return groups;
  }

  /** @throws NOT_FOUND for a group not of the org; FORBIDDEN for one `ownerId` does not belong to */
  async function checkMembership(tx: Queryable, orgId: string, ownerId: string, groupIds: readonly string[], who: string): Promise<void> {
    if ((await existingGroupIds(tx, orgId, groupIds)).size !== groupIds.length) throw new NotFoundError('Group');
    if ((await memberGroupIds(tx, orgId, ownerId, groupIds)).size !== groupIds.length) {
      throw new ForbiddenError(`${who} may only name groups ${who === 'A rule' ? 'its owner belongs' : 'you belong'} to.`);
    }
  }

  function ruleValues(input: SetSharingRuleInput): SharingRuleValues {
    const priority = input.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1_000_000) {
      throw new BadUserInputError('priority must be a whole number from -1000000 to 1000000.', 'priority');
    }
    const tag = input.tag === null || input.tag === undefined ? null : validTags([input.tag])[0]!;
    return {
      codebase: validText(input.codebase, 'codebase', FIELD_LIMITS.codebase),
      tag,
      kind: input.kind === null || input.kind === undefined ? null : validKind(input.kind),
      apiKeyId: input.apiKeyId ?? null,
      visibility: input.visibility,
      sharedWithGroupIds: checkVisibility(input.visibility, input.groupIds, 'groupIds'),
      priority,
    };
  }

  return {
    list: (viewer) => listSharingRules(sql, viewer.orgId, viewer.role === 'ADMIN' ? null : viewer.userId),

    async getByIds(viewer, ids) {
      return (await getSharingRulesByIds(sql, viewer.orgId, ids)).map((rule) => (rule && sees(viewer, rule) ? rule : undefined));
    },

    async set(viewer, input) {
      assertMaySetRules(viewer);
      const values = ruleValues(input);
      return sql.transaction(async (tx) => {
        let ownerId = viewer.userId;
        if (input.id) {
          const current = await lockSharingRule(tx, viewer.orgId, input.id);
          if (!current || !sees(viewer, current)) throw notFound();
          ownerId = current.ownerId;
        } else if ((await countSharingRules(tx, viewer.orgId, ownerId)) >= MAX_SHARING_RULES_PER_USER) {
          throw new BadUserInputError(`A user may have at most ${MAX_SHARING_RULES_PER_USER} sharing rules; delete one first.`, 'input');
        }
        await checkMembership(tx, viewer.orgId, ownerId, values.sharedWithGroupIds, 'A rule');
        if (values.apiKeyId !== null && !(await ownKeyIds(tx, viewer.orgId, ownerId, [values.apiKeyId])).has(values.apiKeyId)) {
          // Another user's key is as absent as a missing one: the rule must name its owner's key.
          throw new NotFoundError('API key');
        }
        return input.id ? updateSharingRule(tx, input.id, values) : insertSharingRule(tx, viewer.orgId, ownerId, values);
      });
    },

    async delete(viewer, id) {
      return sql.transaction(async (tx) => {
        const current = await lockSharingRule(tx, viewer.orgId, id);
        if (!current || !sees(viewer, current)) throw notFound();
        return deleteSharingRuleRow(tx, id);
      });
    },

    async setSessionVisibility(viewer, rawSessionId, visibility, groupIds) {
      assertMaySetRules(viewer);
      const sessionId = validText(rawSessionId, 'sessionId', 200);
      if (sessionId === null) throw new BadUserInputError('sessionId is required.', 'sessionId');
      if (visibility === null || visibility === undefined) {
        if ((groupIds ?? []).length > 0) throw new BadUserInputError('groupIds only applies to GROUP visibility.', 'groupIds');
        overrides.set(viewer.orgId, viewer.userId, sessionId, null);
        return true;
      }
      const groups = checkVisibility(visibility, groupIds, 'groupIds');
      await checkMembership(sql, viewer.orgId, viewer.userId, groups, 'A session override');
      overrides.set(viewer.orgId, viewer.userId, sessionId, { visibility, groupIds: groups });
      return true;
    },
  };
}
