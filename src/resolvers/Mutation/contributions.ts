/** Contribution mutations: submit, review, auto-approve rules. */
import { idOf, idsOf } from '../ids.ts';
import { decodeBatch } from '../../shared/batch.ts';
import type { MutationResolvers } from '../types.generated.ts';

/** `Mutation.contribute`. */
export const contribute: NonNullable<MutationResolvers['contribute']> = (_parent, { input }, { services, viewer }) =>
  services.contributions.contribute(viewer, {
    ...input,
    sharedWithGroupIds: idsOf(input.sharedWithGroupIds, 'Group', 'input.sharedWithGroupIds'),
  });

/** `Mutation.contributeMany`: 1–100 in one transaction, all or none. */
export const contributeMany: NonNullable<MutationResolvers['contributeMany']> = (_parent, { inputs }, { services, viewer }) =>
  services.contributions.contributeMany(
    viewer,
    decodeBatch(inputs, (input, at) => ({ ...input, sharedWithGroupIds: idsOf(input.sharedWithGroupIds, 'Group', `${at}.sharedWithGroupIds`) })),
  );

/** `Mutation.approveContribution`. */
export const approveContribution: NonNullable<MutationResolvers['approveContribution']> = (_parent, args, { services, viewer }) =>
  services.contributions.approve(viewer, idOf(args.id, 'Contribution', 'id'), args.note);

/** `Mutation.rejectContribution`. */
export const rejectContribution: NonNullable<MutationResolvers['rejectContribution']> = (_parent, args, { services, viewer }) =>
  services.contributions.reject(viewer, idOf(args.id, 'Contribution', 'id'), args.reason);

/** `Mutation.setAutoApproveRule` (ADMIN). */
export const setAutoApproveRule: NonNullable<MutationResolvers['setAutoApproveRule']> = (_parent, { input }, { services, viewer }) =>
  services.contributions.setAutoApproveRule(viewer, input.kind, input.enabled);
