/** `hivegraph keys create | list | revoke`: API keys, as an operator (directly on the database). */
import { withOperatorServices } from '../operator.ts';
import { parseCommandArgs, UsageError } from '../io.ts';

export const KEYS_USAGE = `Usage:
  hivegraph keys create --name NAME [--user HANDLE] [--org ORG] [--tier TIER]
  hivegraph keys list [--user HANDLE] [--org ORG] [--all] [--json]
  hivegraph keys revoke KEY [--org ORG]

create  makes an API key for user HANDLE (default: admin) of org ORG (default: default) and
        prints it once on stdout; only its SHA-256 hash and 8-character prefix are stored.
list    prints the org's keys (of one user with --user): id, prefix, user, name, tier, created,
        last used; revoked keys too with --all. Keys themselves are never shown.
revoke  revokes the key with id or prefix KEY (effective on the next request and on open
        subscriptions). Idempotent.`;

/** Dispatches `keys <subcommand>`. */
export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    name: { type: 'string' },
    user: { type: 'string' },
    org: { type: 'string' },
    tier: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${KEYS_USAGE}\n`);
    return values.help ? 0 : 64;
  }
  const org = values.org ?? 'default';
  const [sub, ...rest] = positionals;
  switch (sub) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(`keys create takes no arguments (got "${rest.join(' ')}")`);
      if (!values.name) throw new UsageError('keys create needs --name NAME (what the key is for)');
      const name = values.name;
      return withOperatorServices(async (services) => {
        const created = await services.apiKeys.createForUser({ orgName: org, handle: values.user ?? 'admin', name, ...(values.tier ? { tier: values.tier } : {}) });
        process.stderr.write(
          `Created key "${created.apiKey.name}" (prefix ${created.apiKey.prefix}, tier ${created.apiKey.tier}) for ${values.user ?? 'admin'}@${org}. It is shown once:\n`,
        );
        process.stdout.write(`${created.key}\n`);
        return 0;
      });
    }
    case 'list': {
      if (rest.length > 0) throw new UsageError(`keys list takes no arguments (got "${rest.join(' ')}")`);
      return withOperatorServices(async (services) => {
        const keys = await services.apiKeys.listForOrg({ orgName: org, handle: values.user, includeRevoked: values.all === true });
        if (values.json) {
          process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
          return 0;
        }
        const rows = keys.map((k) => [
          k.id,
          k.prefix,
          k.handle,
          k.name,
          k.tier,
          k.createdAt.toISOString(),
          k.lastUsedAt?.toISOString() ?? '-',
          ...(values.all ? [k.revokedAt?.toISOString() ?? '-'] : []),
        ]);
        const header = ['ID', 'PREFIX', 'USER', 'NAME', 'TIER', 'CREATED', 'LAST USED', ...(values.all ? ['REVOKED'] : [])];
        process.stdout.write(table([header, ...rows]));
        return 0;
      });
    }
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('keys revoke needs exactly one KEY (its id or 8-character prefix)');
      return withOperatorServices(async (services) => {
        const key = await services.apiKeys.revokeInOrg({ orgName: org, idOrPrefix: rest[0]! });
        process.stdout.write(`Revoked key "${key.name}" (prefix ${key.prefix}) at ${key.revokedAt?.toISOString()}.\n`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown keys subcommand "${positionals.join(' ')}" (expected: create, list, revoke)`);
  }
}

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
