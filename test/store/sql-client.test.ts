import { defineSqlClientContract } from '../contract/sql-client.contract.ts';
import { describeIfAvailable, sqlBackends } from '../support/backends.ts';

for (const backend of sqlBackends()) {
  describeIfAvailable(`SQL backend ${backend.name}`, backend.unavailable, () => defineSqlClientContract(backend));
}
