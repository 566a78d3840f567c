import { isIsoDate } from '../domain/iso-date';
import { Dec, isDecimalText } from '../domain/money';
import type { ClaimedFigures, SettlementIssue, SettlementLineInput, SettlementTransaction, TransactionLocator } from '../domain/settlement';
import type { Settlement } from '../rules/calculate-settlement';

/**
 * The tables a settlement file may hold, each introduced by its header row (CSV) or told
 * apart by its identifying key (NDJSON): `transaction`, `institution` or `figure`. Column
 * order in a CSV header is free.
 */
export const TABLES = {
  transactions: {
    columns: ['transaction', 'date', 'channel', 'buyer', 'member', 'keyAccount', 'returnOf', 'sku', 'quantity', 'unitPrice'],
    required: ['transaction', 'date', 'channel', 'buyer', 'sku', 'quantity'],
  },
  externalSales: {
    columns: ['institution', 'sku', 'date', 'quantity', 'unitPrice'],
    required: ['institution', 'sku', 'date', 'quantity', 'unitPrice'],
  },
  claims: {
    columns: ['figure', 'claimed'],
    required: ['figure', 'claimed'],
  },
} as const;

export type TableName = keyof typeof TABLES;

/** The table a column name identifies (in a CSV header, or as an NDJSON record's key). */
export const TABLE_BY_KEY: Readonly<Record<string, TableName>> = { transaction: 'transactions', institution: 'externalSales', figure: 'claims' };

/** One row as read: cell values by column name (strings from CSV, JSON values from NDJSON). */
export type RowCells = Readonly<Record<string, unknown>>;

const MAX_QUANTITY = 1_000_000;
/** The API's Id (openapi.yaml): ids in files follow the same rule as in a JSON request. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;
const MAX_TEXT = 200;
const CLAIM_FIGURES = new Set(['supplyPayable', 'commission', 'compensation', 'chamberPaysSupplier']);

interface OpenTransaction {
  readonly id: string;
  readonly head: Omit<SettlementTransaction, 'lines'>;
  readonly headRow: number;
  readonly rows: number[];
  readonly lines: SettlementLineInput[];
  /** Set when a row of the transaction could not be read: it is refused as a whole. */
  broken: boolean;
}

/**
 * Turns rows into settlement input: adjacent transaction rows with the same `transaction`
 * id form one transaction (their transaction columns must agree), external-sale rows and
 * claim rows pass straight through. Every cell problem is recorded with its row and column
 * (`/rows/<row>/<column>`, rows numbered as a spreadsheet numbers them) and nothing is
 * skipped silently: a transaction with an unreadable row is refused as a whole.
 */
export class SettlementRowReader {
  private open: OpenTransaction | undefined;
  private claims: { -readonly [K in keyof ClaimedFigures]: ClaimedFigures[K] } | undefined;
  private claimedRebates: Record<string, string> | undefined;

  constructor(
    private readonly settlement: Settlement,
    private readonly source?: string,
  ) {}

  /** Adds one row of the transactions table. */
  async transactionRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): Promise<void> {
    const issues: SettlementIssue[] = [...found];
    const cell = this.cellReader(cells, row, issues);
    const id = cell.id('transaction');
    if (id === undefined) {
      this.settlement.reject(issues);
      return;
    }
    if (this.open !== undefined && this.open.id !== id) await this.flush();
    const returnOf = cell.optionalId('returnOf');
    const head: Omit<SettlementTransaction, 'lines'> = {
      id,
      date: cell.date('date') ?? '',
      channel: cell.id('channel') ?? '',
      buyer: { id: cell.id('buyer') ?? '', member: cell.flag('member'), keyAccount: cell.flag('keyAccount') },
      ...(returnOf === undefined ? {} : { returnOf }),
    };
    const sku = cell.id('sku');
    const quantity = cell.integer('quantity');
    const unitPrice = cell.optionalDecimal('unitPrice');
    const open = this.open ?? (this.open = { id, head, headRow: row, rows: [], lines: [], broken: false });
    if (open.rows.length > 0) {
      for (const [column, a, b] of [
        ['date', head.date, open.head.date],
        ['channel', head.channel, open.head.channel],
        ['buyer', head.buyer.id, open.head.buyer.id],
        ['member', head.buyer.member, open.head.buyer.member],
        ['keyAccount', head.buyer.keyAccount, open.head.buyer.keyAccount],
        ['returnOf', head.returnOf, open.head.returnOf],
      ] as const) {
        if (a !== b) issues.push(this.issue(row, column, 'ROWS_DISAGREE', `transaction ${id}: ${column} ${JSON.stringify(a ?? '')} differs from ${JSON.stringify(b ?? '')} on row ${open.headRow}, the transaction's first row`, id));
      }
    }
    open.rows.push(row);
    if (issues.length > 0 || sku === undefined || quantity === undefined) {
      open.broken = true;
      this.settlement.reject(issues.map((issue) => ({ ...issue, transaction: id })));
      return;
    }
    open.lines.push({ sku, quantity, ...(unitPrice === undefined ? {} : { unitPrice }) });
  }

  /** Adds one row of the external-sales table. */
  externalSaleRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): void {
    const issues: SettlementIssue[] = [...found];
    const cell = this.cellReader(cells, row, issues);
    const institution = cell.text('institution');
    const sku = cell.id('sku');
    const date = cell.date('date');
    const quantity = cell.integer('quantity');
    const unitPrice = cell.optionalDecimal('unitPrice');
    if (unitPrice === undefined && issues.length === 0) issues.push(this.issue(row, 'unitPrice', 'MISSING', 'unitPrice is required'));
    if (issues.length > 0) {
      this.settlement.reject(issues);
      return;
    }
    this.settlement.addExternalSale({ institution: institution!, sku: sku!, date: date!, quantity: quantity!, unitPrice: unitPrice! }, { ...(this.source === undefined ? {} : { source: this.source }), field: (name) => this.pointer(row, name) });
  }

  /** Adds one row of the claims table: `supplyPayable`, `commission`, `compensation`, `chamberPaysSupplier` or `rebates/<buyer>`. */
  claimRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): void {
    const issues: SettlementIssue[] = [...found];
    const cell = this.cellReader(cells, row, issues);
    const figure = cell.text('figure');
    const claimed = cell.optionalDecimal('claimed');
    const scale = this.settlement.version.rounding.scale;
    if (claimed === undefined && issues.length === 0) issues.push(this.issue(row, 'claimed', 'MISSING', 'claimed is required'));
    else if (claimed !== undefined && new Dec(claimed).decimalPlaces() > scale) issues.push(this.issue(row, 'claimed', 'INVALID_AMOUNT', `claimed ${claimed} has more than ${scale} decimals`));
    const buyer = figure?.startsWith('rebates/') === true ? figure.slice('rebates/'.length) : undefined;
    if (figure !== undefined && !CLAIM_FIGURES.has(figure) && (buyer === undefined || !ID.test(buyer))) {
      issues.push(this.issue(row, 'figure', 'UNKNOWN_FIGURE', `figure ${JSON.stringify(figure)} is not one of ${[...CLAIM_FIGURES].join(', ')}, rebates/<buyer>`));
    }
    if (issues.length > 0) {
      this.settlement.reject(issues);
      return;
    }
    const claims = (this.claims ??= {});
    if (buyer !== undefined) {
      const rebates = (this.claimedRebates ??= Object.create(null) as Record<string, string>);
      rebates[buyer] = claimed!;
      claims.rebates = rebates;
    } else {
      claims[figure as 'commission'] = claimed!;
    }
  }

  /** Records a problem with a whole row (unreadable, of no known table). */
  rejectRow(row: number, code: string, detail: string): void {
    this.settlement.reject([this.issue(row, '', code, detail)]);
  }

  /** An issue with a cell (or, with column '', a whole row) of this reader's source. */
  issue(row: number, column: string, code: string, detail: string, transaction?: string): SettlementIssue {
    return {
      pointer: this.pointer(row, column),
      code,
      detail: `row ${row}: ${detail}`,
      ...(transaction === undefined ? {} : { transaction }),
      ...(this.source === undefined ? {} : { source: this.source }),
    };
  }

  /** Books the last transaction; returns the claims read, if any. */
  async end(): Promise<ClaimedFigures | undefined> {
    await this.flush();
    return this.claims;
  }

  private async flush(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    if (open === undefined) return;
    if (open.broken) {
      this.settlement.reject([], open.id);
      return;
    }
    const at: TransactionLocator = {
      ...(this.source === undefined ? {} : { source: this.source }),
      field: (name) => this.pointer(open.headRow, name === 'id' ? 'transaction' : name),
      lineField: (index, name) => this.pointer(open.rows[index] ?? open.headRow, name),
    };
    await this.settlement.add({ ...open.head, lines: open.lines }, at);
  }

  private pointer(row: number, column: string): string {
    return `/rows/${row}${column === '' ? '' : `/${column}`}`;
  }

  private cellReader(cells: RowCells, row: number, issues: SettlementIssue[]) {
    const bad = (column: string, code: string, detail: string): undefined => {
      issues.push(this.issue(row, column, code, detail));
      return undefined;
    };
    const present = (column: string): unknown => {
      const value = cells[column];
      return value === '' || value === null ? undefined : value;
    };
    const text = (column: string): string | undefined => {
      const value = present(column);
      if (value === undefined) return bad(column, 'MISSING', `${column} is required`);
      if (typeof value !== 'string') return bad(column, 'INVALID_TEXT', `${column} must be text`);
      if (value.length > MAX_TEXT) return bad(column, 'INVALID_TEXT', `${column} is longer than ${MAX_TEXT} characters`);
      return value;
    };
    const id = (column: string): string | undefined => {
      const value = text(column);
      if (value === undefined || ID.test(value)) return value;
      return bad(column, 'INVALID_ID', `${column} ${JSON.stringify(value)} must be 1–64 letters, digits or . _ : @ - (starting with a letter or digit)`);
    };
    return {
      text,
      id,
      optionalId: (column: string): string | undefined => (present(column) === undefined ? undefined : id(column)),
      flag: (column: string): boolean => {
        const value = present(column);
        if (value === undefined || typeof value === 'boolean') return value ?? false;
        const word = typeof value === 'string' ? value.toLowerCase() : value;
        if (word === 'true' || word === '1' || word === 'yes' || word === 1) return true;
        if (word === 'false' || word === '0' || word === 'no' || word === 0) return false;
        bad(column, 'INVALID_FLAG', `${column} ${JSON.stringify(value)} must be true or false (or empty for false)`);
        return false;
      },
      integer: (column: string): number | undefined => {
        const value = present(column);
        if (value === undefined) return bad(column, 'MISSING', `${column} is required`);
        const n = typeof value === 'number' ? value : typeof value === 'string' && /^[-+]?\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
        if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_QUANTITY) return bad(column, 'INVALID_QUANTITY', `${column} ${JSON.stringify(value)} must be a whole number from −${MAX_QUANTITY} to ${MAX_QUANTITY}`);
        return n;
      },
      optionalDecimal: (column: string): string | undefined => {
        const value = present(column);
        if (value === undefined) return undefined;
        if (typeof value !== 'string' || !isDecimalText(value) || value.length > 32) {
          return bad(column, 'INVALID_DECIMAL', `${column} ${JSON.stringify(value)} must be a plain decimal such as 1094.80 (a string in NDJSON; no thousands separators or currency signs)`);
        }
        return value;
      },
      date: (column: string): string | undefined => {
        const value = present(column);
        if (value === undefined) return bad(column, 'MISSING', `${column} is required`);
        const normalized = typeof value === 'string' ? normalizeDate(value) : undefined;
        if (normalized === undefined) return bad(column, 'INVALID_DATE', `${column} ${JSON.stringify(value)} must be a day written yyyy-mm-dd (or yyyy/m/d)`);
        return normalized;
      },
    };
  }
}

/** yyyy-mm-dd as is; yyyy/m/d (how spreadsheets often write days) padded to yyyy-mm-dd; undefined otherwise. */
export function normalizeDate(text: string): string | undefined {
  const slashed = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  const iso = slashed === null ? text : `${slashed[1]}-${slashed[2]!.padStart(2, '0')}-${slashed[3]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}
