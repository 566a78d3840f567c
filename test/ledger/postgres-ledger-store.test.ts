import { PostgresLedgerStore } from '../../src/ledger/postgres-ledger-store';
import { describeLedgerStore } from '../support/ledger-store-contract';
import { describePostgres } from '../support/postgres-server';

describePostgres('PostgreSQL ledger', (server) => {
  describeLedgerStore('postgres', async () => new PostgresLedgerStore(await server().createDatabase()));
});
