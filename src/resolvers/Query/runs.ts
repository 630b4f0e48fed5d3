import { BadUserInputError } from '../../shared/errors.ts';
import { idOf } from '../ids.ts';
import { pageArgs, toConnection } from '../pagination.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.run`: null when absent (or of another org). */
export const run: NonNullable<QueryResolvers['run']> = (_parent, args, { loaders }) => loaders.run.load(idOf(args.id, 'Run', 'id'));

/** `Query.runs`: the org's runs, newest first. */
export const runs: NonNullable<QueryResolvers['runs']> = async (_parent, args, { services, viewer, loaders }) => {
  const { first, after } = pageArgs(args.first, args.after);
  const page = await services.runs.list(viewer, { status: args.status ?? null }, { first, afterSeq: after });
  for (const r of page.items) loaders.run.prime(r.id, r);
  return toConnection(page, (r) => r.seq);
};

/** `Query.contextPackage`: by id, or by name (latest version unless `version`). */
export const contextPackage: NonNullable<QueryResolvers['contextPackage']> = async (_parent, args, { services, viewer, loaders }) => {
  if ((args.id == null) === (args.name == null)) throw new BadUserInputError('Give either id or name.', args.id == null ? 'name' : 'id');
  if (args.id != null) return loaders.contextPackage.load(idOf(args.id, 'ContextPackage', 'id'));
  return (await services.contextPackages.getByName(viewer, args.name!, args.version)) ?? null;
};

/** `Query.contextPackages`: latest versions (or every version of `name`), newest first. */
export const contextPackages: NonNullable<QueryResolvers['contextPackages']> = async (_parent, args, { services, viewer }) => {
  const { first, after } = pageArgs(args.first, args.after);
  const page = await services.contextPackages.list(viewer, { name: args.name ?? null }, { first, afterSeq: after });
  return toConnection(page, (p) => p.seq);
};
