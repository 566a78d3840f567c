import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import { describeLedgerStore } from '../support/ledger-store-contract';

const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeLedgerStore('sqlite file', async () => new SqliteLedgerStore(path.join(dir, 'ledger.sqlite')));
describeLedgerStore('sqlite in memory', async () => new SqliteLedgerStore(':memory:'));
