/// <reference lib="dom" />
// The ledger page: record a file of transactions in an agreement's ledger (the bar counts the
// bytes sent), read its months (counts, and the statement figures when the API gives them) and
// its programme periods, and close a month through a confirm dialog, then show the statement
// the API stored. Every figure is the API's; the tables' rows come from ledger-tables.ts.
import {
  agreementSelect,
  append,
  ApiError,
  appRoot,
  callApi,
  clear,
  dropZone,
  el,
  field,
  getJson,
  lang,
  listAgreements,
  problemOf,
  problemView,
  startPage,
  table,
  tr,
} from '../common';
import { isLedgerUnavailable, ledgerUnavailable, type StatementSummary } from '../ledger-api';
import { periodsTable, programmesTable, type LedgerPeriods, type PeriodsTable } from '../ledger-tables';
import { figuresList, type StatementFigure, type StatementParties } from '../statement-figures';
import { sendFile, UPLOAD_ACCEPT, uploadProgress, uploadType, type UploadProgress } from '../upload';

interface UploadResult {
  readonly agreement: string;
  readonly accepted: number;
  readonly unchanged: number;
  readonly periods: readonly string[];
  /** The supplier's sales to other institutions (the price guarantee's input), a month's report at a time. */
  readonly externalSales?: { readonly accepted: number; readonly unchanged: number };
  readonly claims: number;
}

interface StoredStatement extends StatementSummary {
  readonly document: {
    readonly statement: StatementParties & { readonly period: { from: string; to: string }; readonly rulesetVersion: string; readonly currency: string; readonly figures?: readonly StatementFigure[] };
    readonly priorPeriodAdjustments: readonly { period: string }[];
  };
}

interface Page {
  readonly agreement: HTMLSelectElement;
  readonly adjustment: HTMLInputElement;
  readonly progress: UploadProgress;
  readonly answer: HTMLElement;
  readonly months: HTMLElement;
  readonly closed: HTMLElement;
  readonly dialog: ConfirmDialog;
}

const ledgerPath = (agreement: string): string => `/v1/ledgers/${encodeURIComponent(agreement)}`;

/** The archive page, filtered to a statement's agreement and month. */
function archiveHref(agreement: string, period: string): string {
  return `/console/statements?${new URLSearchParams({ lang, agreement, period }).toString()}`;
}

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const wanted = new URLSearchParams(location.search).get('agreement') ?? undefined;
  const page: Page = {
    agreement: agreementSelect(agreements, wanted),
    adjustment: el('input', { type: 'checkbox', name: 'adjustment', id: 'adjustment', 'aria-describedby': 'adjustment-hint' }),
    progress: uploadProgress(),
    answer: el('div', { id: 'upload-answer', 'aria-live': 'polite' }),
    months: el('div', { id: 'months' }),
    closed: el('div', { id: 'closed-statement' }),
    dialog: confirmDialog(),
  };
  const zone = dropZone(tr('交易文件（CSV、NDJSON 或 JSON）', 'Transactions file (CSV, NDJSON or JSON)'), UPLOAD_ACCEPT, (file) => {
    void record(page, file);
  });
  append(
    root,
    el(
      'section',
      { 'aria-labelledby': 'record-h' },
      el('h2', { id: 'record-h' }, tr('登记交易', 'Record transactions')),
      el('div', { class: 'row' }, field(tr('协议', 'Agreement'), page.agreement)),
      el(
        'div',
        { class: 'field check' },
        page.adjustment,
        el('label', { for: 'adjustment' }, tr('前期调整', 'Prior-period adjustment')),
      ),
      el('p', { class: 'hint', id: 'adjustment-hint' }, tr('勾选后，日期在已结账月份的交易记入当前未结账月份，作为前期调整；否则整份文件被拒绝（409 PERIOD_CLOSED）。', 'Checked, transactions dated in a closed month are booked in the current open month as prior-period adjustments; unchecked, the whole file is refused (409 PERIOD_CLOSED).')),
      el('p', { class: 'hint' }, tr('文件格式与结算相同（docs/settlement.md）：交易、外部销售（每月一份报告，新报告替换旧报告）与对账申报；同一交易再次上传计为“未变”，内容不同则整份拒绝。', 'The file layout is the settlement\'s (docs/settlement.md): transactions, external sales (a month\'s report, a new one replacing the old) and claims; a transaction sent again is counted unchanged, with other content the whole file is refused.')),
      zone,
      page.progress.view,
      page.answer,
    ),
    el('section', { 'aria-labelledby': 'months-h' }, el('h2', { id: 'months-h' }, tr('月份', 'Months')), page.months),
    page.closed,
    page.dialog.element,
  );
  page.agreement.addEventListener('change', () => {
    clear(page.answer);
    clear(page.closed);
    void showMonths(page);
  });
  await showMonths(page);
});

/** Loads and shows the agreement's months and programme periods. */
async function showMonths(page: Page): Promise<void> {
  const agreement = page.agreement.value;
  let body: LedgerPeriods;
  try {
    body = await getJson<LedgerPeriods>(`${ledgerPath(agreement)}/periods`);
  } catch (error) {
    clear(page.months);
    append(page.months, isLedgerUnavailable(error) ? ledgerUnavailable() : problemView(error));
    return;
  }
  if (page.agreement.value !== agreement) return; // another agreement was chosen meanwhile
  clear(page.months);
  const model = periodsTable(body, lang);
  if (model.rows.length === 0) append(page.months, el('p', { class: 'hint', id: 'no-months' }, tr('此协议的台账中还没有交易。', 'The ledger has no transaction of this agreement yet.')));
  else append(page.months, monthsTable(page, model));
  const programmes = programmesTable(body.programmes, lang);
  if (programmes.rows.length > 0) {
    append(
      page.months,
      el('h3', { id: 'programmes-h' }, tr('返点方案期间', 'Programme periods')),
      table(
        programmes.columns.map((c) => c.label),
        programmes.rows.map((row) => el('tr', { 'data-programme': row.programme, 'data-period': row.period, 'data-final': String(row.final) }, ...row.cells.map((text, i) => el('td', { class: programmes.columns[i]!.numeric ? 'num' : undefined }, text)))),
        tr('季度与年度返点方案：累计业务额与返点', 'Quarter and year programmes: volume and rebate to date'),
        programmes.columns.map((c) => c.numeric),
      ),
    );
  }
}

function monthsTable(page: Page, model: PeriodsTable): HTMLElement {
  const columns = [...model.columns, ...model.figureColumns];
  const rows = model.rows.map((row) => {
    const cells: HTMLTableCellElement[] = row.counts.map((text, i) =>
      i === 1 ? el('td', {}, el('span', { class: `state ${row.state}` }, text)) : el('td', { class: model.columns[i]!.numeric ? 'num' : undefined }, text),
    );
    if (row.problem !== undefined && model.figureColumns.length > 0) cells.push(el('td', { colspan: model.figureColumns.length, class: 'figures-problem' }, row.problem));
    else cells.push(...row.figures.map((text, i) => el('td', { class: `num${model.figureColumns[i]!.net === true ? ' net' : ''}`, 'data-figure': model.figureColumns[i]!.id }, text)));
    const action = row.closable
      ? el('button', { type: 'button', class: 'secondary close-month', 'aria-label': tr(`结账 ${row.period}`, `Close ${row.period}`), onclick: (event: Event) => void closeMonth(page, row.period, event.currentTarget as HTMLButtonElement) }, tr('结账…', 'Close…'))
      : row.statementId === undefined
        ? ''
        : el('a', { href: archiveHref(page.agreement.value, row.period) }, row.statementId);
    cells.push(el('td', {}, action));
    return el('tr', { 'data-period': row.period, 'data-state': row.state }, ...cells);
  });
  return table(
    [...columns.map((c) => c.label), tr('结账', 'Close')],
    rows,
    tr('各月状态、笔数与结算数字', 'Each month: state, counts and statement figures'),
    columns.map((c) => c.numeric),
  );
}

/** Sends the file to the ledger and shows the answer: what was recorded, or every problem. */
async function record(page: Page, file: File): Promise<void> {
  clear(page.answer);
  const type = uploadType(file);
  if (type === undefined) {
    page.progress.status.textContent = tr('请使用 .csv、.ndjson 或 .json 文件。', 'Use a .csv, .ndjson or .json file.');
    return;
  }
  const adjustment = page.adjustment.checked;
  const url = `${ledgerPath(page.agreement.value)}/transactions${adjustment ? '?adjustment=true' : ''}`;
  const answer = await sendFile(url, file, type, page.progress, (total) =>
    tr(`已发送全部 ${total} 字节；服务正在核对并登记交易…`, `All ${total} bytes sent; the service is checking and recording the transactions…`),
  );
  if (answer.status === 200) {
    const result = JSON.parse(answer.text) as UploadResult;
    page.progress.status.textContent = tr(`完成：新登记 ${result.accepted} 笔，未变 ${result.unchanged} 笔。`, `Done: ${result.accepted} recorded, ${result.unchanged} unchanged.`);
    append(page.answer, uploadAnswer(result, adjustment));
    await showMonths(page);
    return;
  }
  if (answer.status === 0) return;
  page.progress.status.textContent = tr(`服务拒绝了此文件（HTTP ${answer.status}），未登记任何交易。`, `The service refused the file (HTTP ${answer.status}); nothing was recorded.`);
  const problem = problemOf(answer.status, answer.text);
  if (problem.code === 'LEDGER_UNAVAILABLE') {
    append(page.answer, ledgerUnavailable());
    return;
  }
  append(page.answer, problemView(new ApiError(problem)));
  if (problem.code === 'PERIOD_CLOSED' && !adjustment) append(page.answer, el('p', { class: 'hint' }, tr('如这些交易是前期调整，请勾选“前期调整”后再上传。', 'If these are prior-period adjustments, check "Prior-period adjustment" and send the file again.')));
}

function uploadAnswer(result: UploadResult, adjustment: boolean): HTMLElement {
  const item = (id: string, label: string, value: string): HTMLElement => el('div', { class: 'figure', 'data-count': id }, el('dt', {}, label), el('dd', { class: 'amount' }, value));
  return el(
    'section',
    { 'aria-labelledby': 'answer-h' },
    el('h3', { id: 'answer-h' }, adjustment ? tr('已登记（前期调整）', 'Recorded (prior-period adjustment)') : tr('已登记', 'Recorded')),
    el(
      'dl',
      { class: 'figures' },
      item('accepted', tr('新登记', 'Recorded'), String(result.accepted)),
      item('unchanged', tr('未变（已登记过）', 'Unchanged (already recorded)'), String(result.unchanged)),
      item('periods', tr('涉及月份', 'Months touched'), result.periods.length === 0 ? '—' : result.periods.join(', ')),
      item('external', tr('外部销售（新登记 / 未变）', 'External sales (recorded / unchanged)'), result.externalSales === undefined ? '—' : `${result.externalSales.accepted} / ${result.externalSales.unchanged}`),
      item('claims', tr('对账申报', 'Claims stored'), String(result.claims)),
    ),
  );
}

/** Asks for confirmation, closes the month, shows the stored statement and the months again. */
async function closeMonth(page: Page, period: string, trigger: HTMLButtonElement): Promise<void> {
  if (!(await page.dialog.confirm(period, trigger))) return;
  const agreement = page.agreement.value;
  clear(page.closed);
  try {
    const { body, response } = await callApi<StoredStatement>(`${ledgerPath(agreement)}/periods/${encodeURIComponent(period)}:close`, { method: 'POST' });
    append(page.closed, storedStatementView(body, response.status === 201));
  } catch (error) {
    append(page.closed, isLedgerUnavailable(error) ? ledgerUnavailable() : problemView(error));
  }
  await showMonths(page);
  page.closed.querySelector<HTMLElement>('h2')?.focus();
}

function storedStatementView(stored: StoredStatement, created: boolean): HTMLElement {
  const s = stored.document.statement;
  const adjustments = stored.document.priorPeriodAdjustments;
  return el(
    'section',
    { 'aria-labelledby': 'closed-h', class: 'statement', 'data-statement': stored.id, 'data-created': String(created) },
    el('h2', { id: 'closed-h', tabindex: -1 }, `${tr('结算单', 'Statement')} ${stored.id}`),
    el(
      'p',
      { role: 'status', id: 'close-status' },
      created
        ? tr(`${stored.period} 已结账：结算单已计算、签名并存档（HTTP 201）。`, `${stored.period} is closed now: its statement was computed, signed and archived (HTTP 201).`)
        : tr(`${stored.period} 此前已结账：以下是当时存档的结算单（HTTP 200）。`, `${stored.period} was already closed: this is the statement archived then (HTTP 200).`),
    ),
    el(
      'dl',
      { class: 'params' },
      el('dt', {}, tr('期间', 'Period')),
      el('dd', {}, `${s.period.from} – ${s.period.to}`),
      el('dt', {}, tr('结账时间', 'Closed at')),
      el('dd', {}, stored.closedAt),
      el('dt', {}, tr('规则版本', 'Rule version')),
      el('dd', {}, el('code', {}, s.rulesetVersion)),
      el('dt', {}, tr('内容哈希（SHA-256）', 'Content hash (SHA-256)')),
      el('dd', {}, el('code', {}, stored.contentHash)),
      el('dt', {}, tr('前期调整', 'Prior-period adjustments')),
      el('dd', {}, adjustments.length === 0 ? '—' : adjustments.map((a) => a.period).join(', ')),
    ),
    figuresList(s, s.figures ?? []),
    el('p', {}, el('a', { href: archiveHref(stored.agreement, stored.period) }, tr('在结算单存档中查看、下载与验证', 'View, download and verify it in the statement archive'))),
  );
}

interface ConfirmDialog {
  readonly element: HTMLDialogElement;
  confirm(period: string, trigger: HTMLElement): Promise<boolean>;
}

/** A modal <dialog> asking to close a month: focus starts on Cancel and returns to the button that opened it. */
function confirmDialog(): ConfirmDialog {
  const text = el('p', { id: 'close-dialog-text' });
  const cancel = el('button', { type: 'button', class: 'secondary', id: 'close-cancel' }, tr('取消', 'Cancel'));
  const ok = el('button', { type: 'button', id: 'close-confirm' }, tr('结账', 'Close the month'));
  const heading = el('h2', { id: 'close-dialog-h' });
  const element = el('dialog', { id: 'close-dialog', 'aria-labelledby': 'close-dialog-h', 'aria-describedby': 'close-dialog-text' }, heading, text, el('div', { class: 'actions' }, cancel, ok));
  cancel.addEventListener('click', () => element.close('cancel'));
  ok.addEventListener('click', () => element.close('confirm'));
  return {
    element,
    confirm(period, trigger) {
      heading.textContent = tr(`结账 ${period}？`, `Close ${period}?`);
      text.textContent = tr(
        `将按台账计算 ${period} 的结算单、签名并永久存档。结账后，日期在该月的交易只能作为前期调整登记。`,
        `The statement of ${period} is computed from the ledger, signed and archived for good. Once closed, transactions dated in it can only be recorded as prior-period adjustments.`,
      );
      element.returnValue = '';
      element.showModal();
      cancel.focus();
      return new Promise((resolve) => {
        element.addEventListener(
          'close',
          () => {
            trigger.focus();
            resolve(element.returnValue === 'confirm');
          },
          { once: true },
        );
      });
    },
  };
}
