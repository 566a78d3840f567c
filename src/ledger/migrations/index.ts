import type { Migration } from '../ledger-store';
import { initial } from './001-initial';
import { changeMarks } from './002-change-marks';
import { externalSales } from './003-external-sales';

/**
 * Every version of the ledger schema, in order. Both back ends apply the ones they have not
 * (recorded in `ledger_schema_migrations`); a migration is never edited once released: add the next.
 */
export const MIGRATIONS: readonly Migration[] = [initial, changeMarks, externalSales];
