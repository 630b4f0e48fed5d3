import { toGlobalId } from './ids.ts';
import type { ApiKeyResolvers } from './types.generated.ts';

/** `ApiKey` fields that differ from the record. */
export const ApiKey: ApiKeyResolvers = {
  id: (key) => toGlobalId('ApiKey', key.id),
  user: async (key, _args, { loaders }) => {
    const user = await loaders.user.load(key.userId);
    if (!user) throw new Error(`API key ${key.id} has no user row`);
    return user;
  },
  usage: (key, _args, { loaders }) => loaders.apiKeyUsage.load(key.id),
};
