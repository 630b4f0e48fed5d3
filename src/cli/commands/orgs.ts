/** `hivegraph orgs create NAME`: creates an org and prints its first ADMIN key once. */
import { withOperatorServices } from '../operator.ts';
import { parseCommandArgs, UsageError } from '../io.ts';

export const ORGS_USAGE = `Usage: hivegraph orgs create NAME

Creates org NAME (lower-case letters, digits, _ and -) with an ADMIN user "admin", and prints
that admin's API key once on stdout. Orgs never see each other's non-PUBLIC data.`;

/** Dispatches `orgs <subcommand>`. */
export async function orgsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${ORGS_USAGE}\n`);
    return values.help ? 0 : 64;
  }
  if (positionals[0] !== 'create' || positionals.length !== 2) {
    throw new UsageError(`expected: orgs create NAME (got "orgs ${positionals.join(' ')}")`);
  }
  const name = positionals[1]!;
  return withOperatorServices(async (services) => {
    const created = await services.orgs.create(name);
    process.stderr.write(`Created org "${created.org.name}" with ADMIN user "admin". Its API key is shown once:\n`);
    process.stdout.write(`${created.key}\n`);
    return 0;
  });
}
