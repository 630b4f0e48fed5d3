/** `hivegraph keys create`: makes an API key for a user (printed once). */
import { withOperatorServices } from '../operator.ts';
import { parseCommandArgs, UsageError } from '../io.ts';

export const KEYS_USAGE = `Usage: hivegraph keys create --name NAME [--user HANDLE] [--org ORG] [--tier TIER]

Creates an API key for user HANDLE (default: admin) of org ORG (default: default) and prints
it once on stdout; only its SHA-256 hash and 8-character prefix are stored.`;

/** Dispatches `keys <subcommand>`. */
export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    name: { type: 'string' },
    user: { type: 'string' },
    org: { type: 'string' },
    tier: { type: 'string' },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${KEYS_USAGE}\n`);
    return values.help ? 0 : 64;
  }
  if (positionals[0] !== 'create' || positionals.length > 1) {
    throw new UsageError(`unknown keys subcommand "${positionals.join(' ')}" (expected: create)`);
  }
  if (!values.name) throw new UsageError('keys create needs --name NAME (what the key is for)');
  const name = values.name;
  return withOperatorServices(async (services) => {
    const created = await services.apiKeys.createForUser({
      orgName: values.org ?? 'default',
      handle: values.user ?? 'admin',
      name,
      ...(values.tier ? { tier: values.tier } : {}),
    });
    process.stderr.write(
      `Created key "${created.apiKey.name}" (prefix ${created.apiKey.prefix}, tier ${created.apiKey.tier}) for ${values.user ?? 'admin'}@${values.org ?? 'default'}. It is shown once:\n`,
    );
    process.stdout.write(`${created.key}\n`);
    return 0;
  });
}
