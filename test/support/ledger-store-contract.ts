import { createHash, randomUUID } from 'node:crypto';
import { PeriodClosedError, type AuditEntryInput, type ExternalSalesReport, type LedgerStore, type LedgerTransaction, type LedgerTransactionInput, type NewStatement } from '../../src/ledger/ledger-store';

/**
 * The behaviour every ledger back end must have. A back end's test calls
 * `describeLedgerStore('sqlite', () => openIt())`; each test works on an agreement id of its
 * own, so one database may serve the whole suite.
 */
export function describeLedgerStore(name: string, makeStore: () => Promise<LedgerStore>): void {
  describe(`ledger store contract: ${name}`, () => {
    let store: LedgerStore;
    let agreement: string;

    beforeAll(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
    });
    beforeEach(() => {
      agreement = `contract-${randomUUID().slice(0, 8)}`;
    });

    const upload = (transactions: readonly LedgerTransactionInput[], batchSize = 2) =>
      store.ingest({ agreement, batches: batchesOf(transactions, batchSize), audit: () => auditEntry(agreement, 'upload') });

    it('applies its migrations once: a second run applies none', async () => {
      expect(await store.migrate()).toEqual([]);
    });

    it('accepts new transactions, counts an identical resend as unchanged and names the periods touched', async () => {
      const first = await upload([sale('S1', '2026-10-03'), sale('S2', '2026-11-04'), sale('S3', '2026-11-05')]);
      expect(first).toEqual({ kind: 'accepted', accepted: 3, unchanged: 0, periods: ['2026-10', '2026-11'], externalSales: { accepted: 0, unchanged: 0 } });
      const again = await upload([sale('S2', '2026-11-04'), sale('S4', '2026-11-06')]);
      expect(again).toEqual({ kind: 'accepted', accepted: 1, unchanged: 1, periods: ['2026-11'], externalSales: { accepted: 0, unchanged: 0 } });
      expect(await ids(store.readTransactions(agreement, '2026-01', '2026-12'))).toEqual(['S1', 'S2', 'S3', 'S4']);
    });

    it('refuses a whole upload when an id is already there with other content, listing the ids, writing nothing', async () => {
      await upload([sale('S1', '2026-11-03'), sale('S2', '2026-11-04')]);
      const outcome = await upload([sale('S9', '2026-11-05'), sale('S1', '2026-11-03', 7), sale('S2', '2026-11-04', 8)]);
      expect(outcome).toEqual({ kind: 'refused', conflicts: ['S1', 'S2'], conflictCount: 2, closed: [], closedCount: 0, closedExternalSales: [] });
      expect(await ids(store.readTransactions(agreement, '2026-11', '2026-11'))).toEqual(['S1', 'S2']);
      expect((await store.listAudit(agreement)).map((entry) => entry.action)).toEqual(['upload']);
    });

    it('keeps nothing of an upload whose batches fail half-way, and rethrows', async () => {
      async function* failing(): AsyncGenerator<readonly LedgerTransactionInput[]> {
        yield [sale('S1', '2026-11-03')];
        throw new Error('the upload broke');
      }
      await expect(store.ingest({ agreement, batches: failing(), audit: () => auditEntry(agreement, 'upload') })).rejects.toThrow('the upload broke');
      expect(await store.listPeriods(agreement)).toEqual([]);
      expect(await store.findTransactions(agreement, ['S1'])).toEqual([]);
      // and the store still takes the next upload
      expect((await upload([sale('S1', '2026-11-03')])).kind).toBe('accepted');
    });

    it('streams a period in ledger order, past one page of rows', async () => {
      const many = Array.from({ length: 4321 }, (_, i) => sale(`T${String(i).padStart(5, '0')}`, '2026-11-15'));
      await upload(many, 1000);
      const read = await collect(store.readTransactions(agreement, '2026-11', '2026-11'));
      expect(read.map((tx) => tx.id)).toEqual(many.map((tx) => tx.id));
      expect(read.every((tx, i) => i === 0 || tx.seq > read[i - 1]!.seq)).toBe(true);
      expect(read[0]).toMatchObject({ period: '2026-11', date: '2026-11-15', adjustment: false, adjusted: false, contentHash: many[0]!.contentHash, body: many[0]!.body });
    });

    it('lists periods with their state and counts', async () => {
      await upload([sale('S1', '2026-10-03'), sale('S2', '2026-11-04'), returnOf('R1', '2026-11-09', 'S1')]);
      expect(await store.listPeriods(agreement)).toEqual([
        { period: '2026-10', state: 'open', transactions: 1, returns: 0, adjustments: 0 },
        { period: '2026-11', state: 'open', transactions: 2, returns: 1, adjustments: 0 },
      ]);
    });

    it('closes a period once: the statement is stored with the state, a second close returns it without computing', async () => {
      await upload([sale('S1', '2026-10-03'), sale('S2', '2026-10-04')]);
      let read: string[] = [];
      const closed = await store.closePeriod(agreement, '2026-10', async (reader) => {
        read = await ids(reader.readTransactions(agreement, '2026-10', '2026-10'));
        return statementFor('ST-1', read);
      });
      expect(read).toEqual(['S1', 'S2']);
      expect(closed).toEqual({ created: true, statement: { ...statementFor('ST-1', read), agreement, period: '2026-10' } });
      const again = await store.closePeriod(agreement, '2026-10', () => Promise.reject(new Error('must not compute again')));
      expect(again).toEqual({ created: false, statement: closed.statement });
      expect(await store.statement('ST-1')).toEqual(closed.statement);
      const [period] = await store.listPeriods(agreement);
      expect(period).toEqual({ period: '2026-10', state: 'closed', transactions: 2, returns: 0, adjustments: 0, closedAt: '2026-11-02T09:00:00.000Z', statementId: 'ST-1' });
    });

    it('closes an empty period too (a month without sales still gets its statement)', async () => {
      const closed = await store.closePeriod(agreement, '2026-09', async () => statementFor(`ST-${agreement}`, []));
      expect(closed.created).toBe(true);
      expect((await store.listPeriods(agreement)).map((p) => [p.period, p.state])).toEqual([['2026-09', 'closed']]);
    });

    it('changes nothing when computing the statement fails', async () => {
      await upload([sale('S1', '2026-10-03')]);
      await expect(store.closePeriod(agreement, '2026-10', () => Promise.reject(new Error('cannot settle')))).rejects.toThrow('cannot settle');
      expect((await store.listPeriods(agreement))[0]!.state).toBe('open');
      expect(await store.listStatements({ agreement })).toEqual([]);
    });

    it('refuses new transactions dated in a closed period, books adjustments in the current open period, counts resends unchanged', async () => {
      await upload([sale('S1', '2026-10-03')]);
      await store.closePeriod(agreement, '2026-10', async () => statementFor(`ST-${agreement}`, ['S1']));
      const refused = await upload([sale('S1', '2026-10-03'), sale('S2', '2026-10-20'), sale('S3', '2026-11-02')]);
      expect(refused).toEqual({ kind: 'refused', conflicts: [], conflictCount: 0, closed: [{ id: 'S2', period: '2026-10' }], closedCount: 1, closedExternalSales: [] });
      const adjusted = await upload([sale('S1', '2026-10-03'), { ...sale('S2', '2026-10-20'), adjustment: true }, { ...sale('S3', '2026-11-02'), adjustment: true }]);
      expect(adjusted).toEqual({ kind: 'accepted', accepted: 2, unchanged: 1, periods: ['2026-11'], externalSales: { accepted: 0, unchanged: 0 } });
      const [s2, s3] = await collect(store.readTransactions(agreement, '2026-11', '2026-11'));
      expect(s2).toMatchObject({ id: 'S2', date: '2026-10-20', period: '2026-11', adjustment: true, adjusted: true });
      expect(s3).toMatchObject({ id: 'S3', period: '2026-11', adjustment: true, adjusted: false });
      expect((await store.listPeriods(agreement)).find((p) => p.period === '2026-11')).toMatchObject({ transactions: 2, adjustments: 1 });
    });

    it('finds the originals, in earlier periods, of a period\'s returns', async () => {
      await upload([sale('S1', '2026-09-03'), sale('S2', '2026-10-03'), sale('S3', '2026-10-04'), sale('S4', '2026-11-01'), returnOf('R1', '2026-11-09', 'S2'), returnOf('R4', '2026-11-10', 'S4'), returnOf('R0', '2026-11-10', 'S1')]);
      expect(await ids(store.readOriginals(agreement, '2026-11'))).toEqual(['S1', 'S2']);
      expect(await ids(store.readOriginals(agreement, '2026-10'))).toEqual([]);
      const found = await store.findTransactions(agreement, ['R1', 'nope', 'S3']);
      expect(found.map((tx) => tx.id).sort()).toEqual(['R1', 'S3']);
      expect(found.find((tx) => tx.id === 'R1')).toMatchObject({ returnOf: 'S2', period: '2026-11' });
    });

    it('serialises concurrent uploads: nothing lost, nothing counted twice', async () => {
      const uploads = Array.from({ length: 6 }, (_, u) => Array.from({ length: 50 }, (_, i) => sale(`U${u}-${i}`, '2026-11-10')));
      // every upload also resends one transaction of upload 0
      const outcomes = await Promise.all(uploads.map((transactions) => upload([...transactions, sale('U0-0', '2026-11-10')], 7)));
      expect(outcomes.every((outcome) => outcome.kind === 'accepted')).toBe(true);
      const accepted = outcomes.reduce((sum, outcome) => sum + (outcome.kind === 'accepted' ? outcome.accepted : 0), 0);
      const unchanged = outcomes.reduce((sum, outcome) => sum + (outcome.kind === 'accepted' ? outcome.unchanged : 0), 0);
      expect([accepted, unchanged]).toEqual([300, 6]);
      expect((await ids(store.readTransactions(agreement, '2026-11', '2026-11'))).length).toBe(300);
    });

    it('an upload racing a close is either in the statement or refused', async () => {
      await upload([sale('S1', '2026-10-03')]);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let seen: string[] = [];
      const closing = store.closePeriod(agreement, '2026-10', async (reader) => {
        await held;
        seen = await ids(reader.readTransactions(agreement, '2026-10', '2026-10'));
        return statementFor(`ST-${agreement}`, seen);
      });
      const racing = upload([sale('S2', '2026-10-05')]);
      release();
      const [outcome] = await Promise.all([racing, closing]);
      const inStatement = seen.includes('S2');
      expect(inStatement ? outcome.kind === 'accepted' : outcome.kind === 'refused' && outcome.closed.some((c) => c.id === 'S2')).toBe(true);
    });

    it('raises the change mark on each upload that records, each close and each claims update; never on reads, resends or refusals', async () => {
      const marks: string[] = [await store.changeMark(agreement)];
      const mark = async (): Promise<string> => {
        marks.push(await store.changeMark(agreement));
        return marks[marks.length - 1]!;
      };
      await upload([sale('S1', '2026-10-03')]);
      await mark();
      await upload([sale('S1', '2026-10-03')]); // an identical resend records nothing
      await store.listPeriods(agreement);
      await collect(store.readTransactions(agreement, '2026-10', '2026-10'));
      await mark();
      await upload([sale('S1', '2026-10-03', 9)]); // refused: a conflict
      await mark();
      await store.putClaims(agreement, '2026-11', [{ figure: 'commission', claimed: '1.00' }], auditEntry(agreement, 'claims'));
      await mark();
      await store.closePeriod(agreement, '2026-10', async () => statementFor(`ST-${agreement}`, ['S1']));
      await mark();
      await store.closePeriod(agreement, '2026-10', () => Promise.reject(new Error('not called: closed already')));
      await mark();
      expect(marks.map((m, i) => i === 0 || m !== marks[i - 1])).toEqual([true, true, false, false, true, true, false]);
      expect(new Set(marks).size).toBe(4);
      // another agreement's writes leave this one's mark alone
      await store.ingest({ agreement: `${agreement}-other`, batches: batchesOf([sale('S1', '2026-10-03')], 1), audit: () => auditEntry(`${agreement}-other`, 'upload') });
      expect(await store.changeMark(agreement)).toBe(marks[marks.length - 1]);
    });

    const uploadWith = (transactions: readonly LedgerTransactionInput[], reports: readonly ExternalSalesReport[]) =>
      store.ingest({ agreement, batches: batchesOf(transactions, 2), audit: () => auditEntry(agreement, 'upload'), externalSales: () => reports });

    it('stores external sales per month with the upload: a month\'s report replaces the stored one, an identical one is unchanged', async () => {
      const october = report('2026-10', ['A', 'B']);
      const first = await uploadWith([sale('S1', '2026-11-03')], [october, report('2026-11', ['C'])]);
      expect(first).toEqual({ kind: 'accepted', accepted: 1, unchanged: 0, periods: ['2026-10', '2026-11'], externalSales: { accepted: 3, unchanged: 0 } });
      expect(await store.externalSales(agreement, '2026-10')).toEqual(october);
      expect(await store.externalSales(agreement, '2026-09')).toBeUndefined();
      const replaced = report('2026-11', ['D', 'E', 'F']);
      const second = await uploadWith([sale('S1', '2026-11-03')], [october, replaced]);
      expect(second).toEqual({ kind: 'accepted', accepted: 0, unchanged: 1, periods: ['2026-11'], externalSales: { accepted: 3, unchanged: 2 } });
      expect(await store.externalSales(agreement, '2026-11')).toEqual(replaced);
      expect(await store.externalSales(agreement, '2026-10')).toEqual(october);
      expect((await store.listPeriods(agreement)).map((p) => [p.period, p.transactions])).toEqual([['2026-10', 0], ['2026-11', 1]]);
      expect((await store.listAudit(agreement)).map((entry) => entry.action)).toEqual(['upload', 'upload']);
    });

    it('refuses a whole upload whose external sales are dated in a closed month and differ from the stored ones; an identical resend is unchanged', async () => {
      const october = report('2026-10', ['A']);
      await uploadWith([sale('S1', '2026-10-03')], [october]);
      await store.closePeriod(agreement, '2026-10', async (reader) => {
        expect(await reader.externalSales(agreement, '2026-10')).toEqual(october);
        return statementFor(`ST-${agreement}`, ['S1']);
      });
      const mark = await store.changeMark(agreement);
      const refused = await uploadWith([sale('S2', '2026-11-03')], [report('2026-10', ['A', 'B']), report('2026-11', ['C'])]);
      expect(refused).toEqual({ kind: 'refused', conflicts: [], conflictCount: 0, closed: [], closedCount: 0, closedExternalSales: ['2026-10'] });
      expect(await store.externalSales(agreement, '2026-10')).toEqual(october);
      expect(await store.externalSales(agreement, '2026-11')).toBeUndefined();
      expect(await store.findTransactions(agreement, ['S2'])).toEqual([]);
      expect(await store.changeMark(agreement)).toBe(mark);
      const resent = await uploadWith([sale('S1', '2026-10-03')], [october]);
      expect(resent).toEqual({ kind: 'accepted', accepted: 0, unchanged: 1, periods: [], externalSales: { accepted: 0, unchanged: 1 } });
      expect(await store.changeMark(agreement)).toBe(mark);
    });

    it('keeps no external sales of an upload refused for its transactions, and raises the change mark when only external sales are recorded', async () => {
      await upload([sale('S1', '2026-11-03')]);
      const before = await store.changeMark(agreement);
      const refused = await uploadWith([sale('S1', '2026-11-03', 5)], [report('2026-11', ['A'])]);
      expect(refused.kind).toBe('refused');
      expect(await store.externalSales(agreement, '2026-11')).toBeUndefined();
      expect(await store.changeMark(agreement)).toBe(before);
      expect(await uploadWith([], [report('2026-11', ['A'])])).toMatchObject({ kind: 'accepted', periods: ['2026-11'], externalSales: { accepted: 1, unchanged: 0 } });
      expect(await store.changeMark(agreement)).not.toBe(before);
    });

    it('stores claims per period and refuses them once the period is closed', async () => {
      await store.putClaims(agreement, '2026-11', [{ figure: 'commission', claimed: '12.50' }, { figure: 'rebates/B1', claimed: '3.00' }], auditEntry(agreement, 'claims'));
      await store.putClaims(agreement, '2026-11', [{ figure: 'commission', claimed: '12.60' }], auditEntry(agreement, 'claims'));
      expect(await store.claims(agreement, '2026-11')).toEqual([{ figure: 'commission', claimed: '12.60' }, { figure: 'rebates/B1', claimed: '3.00' }]);
      await store.closePeriod(agreement, '2026-11', async (reader) => {
        expect(await reader.claims(agreement, '2026-11')).toHaveLength(2);
        return statementFor(`ST-${agreement}`, []);
      });
      await expect(store.putClaims(agreement, '2026-11', [{ figure: 'commission', claimed: '1.00' }], auditEntry(agreement, 'claims'))).rejects.toBeInstanceOf(PeriodClosedError);
    });

    it('lists statements by agreement, period and partner, without their bodies', async () => {
      await store.closePeriod(agreement, '2026-10', async () => ({ ...statementFor(`A-${agreement}`, []), partner: 'partner-a', closedAt: '2026-11-01T00:00:00.000Z' }));
      await store.closePeriod(agreement, '2026-11', async () => ({ ...statementFor(`B-${agreement}`, []), partner: 'partner-b', closedAt: '2026-12-01T00:00:00.000Z' }));
      expect((await store.listStatements({ agreement })).map((s) => s.id)).toEqual([`B-${agreement}`, `A-${agreement}`]);
      expect((await store.listStatements({ agreement, partner: 'partner-a' })).map((s) => s.period)).toEqual(['2026-10']);
      const [only] = await store.listStatements({ agreement, period: '2026-11' });
      expect(only).toEqual({ id: `B-${agreement}`, agreement, period: '2026-11', partner: 'partner-b', closedAt: '2026-12-01T00:00:00.000Z', contentHash: sha256('{"ids":[]}'), signature: 'sig..nature' });
      expect(await store.statement('no-such-statement')).toBeUndefined();
    });

    it('keeps an audit trail, newest first, paged by seq', async () => {
      await upload([sale('S1', '2026-11-03')]);
      await store.appendAudit({ ...auditEntry(agreement, 'upload-refused'), partner: null, detail: { problems: 3 } });
      const audit = await store.listAudit(agreement);
      expect(audit.map((entry) => [entry.action, entry.partner])).toEqual([['upload-refused', null], ['upload', 'partner-a']]);
      expect(audit[0]!.detail).toEqual({ problems: 3 });
      expect(audit[1]).toMatchObject({ agreement, at: '2026-11-02T09:00:00.000Z', inputHash: sha256('input') });
      expect((await store.listAudit(agreement, { before: audit[0]!.seq })).map((entry) => entry.action)).toEqual(['upload']);
      expect(await store.listAudit(agreement, { limit: 1 })).toHaveLength(1);
    });
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A sale as the service hands it over (the body need not be a full transaction for the store). */
export function sale(id: string, date: string, quantity = 1): LedgerTransactionInput {
  const body = JSON.stringify({ id, date, lines: [{ quantity }] });
  return { id, date, adjustment: false, contentHash: sha256(body), body };
}

function returnOf(id: string, date: string, original: string): LedgerTransactionInput {
  const body = JSON.stringify({ id, date, returnOf: original, lines: [{ quantity: -1 }] });
  return { id, date, returnOf: original, adjustment: false, contentHash: sha256(body), body };
}

/** A month's external-sales report of sales to the named institutions (bodies need not be full sales for the store). */
function report(period: string, institutions: readonly string[]): ExternalSalesReport {
  const sales = institutions.map((institution) => JSON.stringify({ institution, date: `${period}-15` }));
  return { period, contentHash: sha256(sales.join('\n')), sales };
}

function statementFor(id: string, read: readonly string[]): NewStatement {
  const body = JSON.stringify({ ids: read });
  return { id, partner: 'partner-a', closedAt: '2026-11-02T09:00:00.000Z', contentHash: sha256(body), signature: 'sig..nature', body };
}

function auditEntry(agreement: string, action: string): AuditEntryInput {
  return { agreement, action, partner: 'partner-a', at: '2026-11-02T09:00:00.000Z', inputHash: sha256('input'), detail: {} };
}

async function* batchesOf<T>(items: readonly T[], size: number): AsyncGenerator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield items.slice(i, i + size);
  }
}

async function collect(source: AsyncIterable<LedgerTransaction>): Promise<LedgerTransaction[]> {
  const all: LedgerTransaction[] = [];
  for await (const tx of source) all.push(tx);
  return all;
}

async function ids(source: AsyncIterable<LedgerTransaction>): Promise<string[]> {
  return (await collect(source)).map((tx) => tx.id);
}
