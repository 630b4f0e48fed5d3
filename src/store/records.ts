/**
 * Records: the rows the store returns, in the shape services and resolvers use
 * (camelCase, Dates). GraphQL mappers point at these types.
 */

/** The five roles, most powerful first. */
export const ROLES = ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER'] as const;

/** A user's role within its org. */
export type Role = (typeof ROLES)[number];

/** An organisation: the tenant boundary. */
export interface OrgRecord {
  id: string;
  name: string;
  createdAt: Date;
}

/** A user of one org. */
export interface UserRecord {
  id: string;
  orgId: string;
  handle: string;
  displayName: string | null;
  role: Role;
  createdAt: Date;
}

/** An API key's stored part (never the key itself). */
export interface ApiKeyRecord {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  /** The key's first 8 characters, for recognising it in lists. */
  prefix: string;
  tier: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
