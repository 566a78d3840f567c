import type { Migration } from '../ledger-store';

/** The same SQL in both dialects (text and integer columns only). */
const TABLES = `
CREATE TABLE ledger_external_reports (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  sales INTEGER NOT NULL,
  PRIMARY KEY (agreement, period)
);
CREATE TABLE ledger_external_sales (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  ord INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (agreement, period, ord)
);
`;

/**
 * External sales (the price guarantee's evidence) per agreement and month: the month's report
 * (its content hash and how many sales) and its sales as canonical JSON in the order sent. A
 * month's report is replaced whole by the next upload that has sales dated in it.
 */
export const externalSales: Migration = {
  version: 3,
  name: 'external-sales',
  sqlite: TABLES,
  postgres: TABLES,
};
