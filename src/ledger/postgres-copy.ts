import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { LedgerTransactionInput } from './ledger-store';

/**
 * Bulk transfer of an upload into PostgreSQL: its transactions are written with COPY … FROM
 * STDIN (text format) into a staging table, batch by batch as they arrive, with backpressure.
 */

/** The staging table an upload is copied into: temporary, dropped when its database transaction ends. */
export const STAGING_TABLE = 'ledger_upload';

export const CREATE_STAGING_TABLE = `CREATE TEMP TABLE ${STAGING_TABLE} (
  ord BIGINT NOT NULL,
  id TEXT NOT NULL,
  date TEXT NOT NULL,
  return_of TEXT,
  adjustment BOOLEAN NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL
) ON COMMIT DROP`;

const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as COPY's text format reads it: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return value.replace(SPECIAL, (c) => ESCAPES[c]!);
}

/** One staging row (COPY text format, newline-terminated); `ord` keeps the upload's order. */
export function copyRow(ord: number, tx: LedgerTransactionInput): string {
  const returnOf = tx.returnOf === undefined ? '\\N' : copyText(tx.returnOf);
  return `${ord}\t${copyText(tx.id)}\t${copyText(tx.date)}\t${returnOf}\t${tx.adjustment ? 't' : 'f'}\t${copyText(tx.contentHash)}\t${copyText(tx.body)}\n`;
}

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
}

/**
 * Copies every batch into the staging table (created by the caller in the same database
 * transaction). Returns how many rows were copied. When `batches` throws, the COPY is aborted
 * (CopyFail) and the error is rethrown; the caller rolls back.
 */
export async function copyBatches(client: PoolClient, batches: AsyncIterable<readonly LedgerTransactionInput[]>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${STAGING_TABLE} (ord, id, date, return_of, adjustment, content_hash, body) FROM STDIN`));
  const done = finished(stream);
  done.catch(() => undefined); // observed below; an early failure must not be unhandled meanwhile
  let rows = 0;
  try {
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      let chunk = '';
      for (const tx of batch) chunk += copyRow(rows++, tx);
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const onError = (error: Error): void => {
            stream.off('drain', onDrain);
            reject(error);
          };
          const onDrain = (): void => {
            stream.off('error', onError);
            resolve();
          };
          stream.once('drain', onDrain);
          stream.once('error', onError);
        });
      }
    }
  } catch (error) {
    if (!stream.closed) {
      const aborted = new Promise<void>((resolve) => stream.once('close', resolve));
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      await aborted;
    }
    throw error;
  }
  stream.end();
  await done;
  return rows;
}
