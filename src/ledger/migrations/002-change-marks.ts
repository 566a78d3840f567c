import type { Migration } from '../ledger-store';

/**
 * A change mark per agreement: a counter every write that changes what a listing of the
 * ledger shows (an upload that records transactions, a close, claims) raises in its own
 * database transaction, so a reader tells in one row whether anything changed since it last
 * looked (LedgerStore.changeMark). Absent until the agreement's first write after this migration.
 */
export const changeMarks: Migration = {
  version: 2,
  name: 'change-marks',
  sqlite: `
CREATE TABLE ledger_change_marks (
  agreement TEXT PRIMARY KEY,
  mark INTEGER NOT NULL
);
`,
  postgres: `
CREATE TABLE ledger_change_marks (
  agreement TEXT PRIMARY KEY,
  mark BIGINT NOT NULL
);
`,
};

/** Raises an agreement's change mark (SQLite and PostgreSQL alike; one parameter: the agreement). */
export const RAISE_CHANGE_MARK_SQLITE = 'INSERT INTO ledger_change_marks (agreement, mark) VALUES (?, 1) ON CONFLICT (agreement) DO UPDATE SET mark = ledger_change_marks.mark + 1';
export const RAISE_CHANGE_MARK_POSTGRES = 'INSERT INTO ledger_change_marks (agreement, mark) VALUES ($1, 1) ON CONFLICT (agreement) DO UPDATE SET mark = ledger_change_marks.mark + 1';
