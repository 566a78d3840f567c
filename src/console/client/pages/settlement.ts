/// <reference lib="dom" />
// The settlement page: a CSV / NDJSON (or JSON) file → POST /v1/settlements, sent with XHR so the
// upload's progress is shown → the statement's figures, or every problem with its row number.
// The API does not report lines priced while it works: the bar shows the bytes sent (upload.ts),
// then the page says the service is pricing, and the statement states how many lines it priced.
import {
  agreementSelect,
  append,
  appRoot,
  authHeaders,
  clear,
  downloadLink,
  dropZone,
  el,
  field,
  labelOf,
  listAgreements,
  money,
  numCell,
  percent,
  discountFactor,
  problemOf,
  problemView,
  ApiError,
  startPage,
  table,
  tr,
  type Label,
} from '../common';
import { documentButton, statementFormats } from '../documents';
import { figuresList } from '../statement-figures';
import { sendFile, UPLOAD_ACCEPT, uploadProgress, uploadType, type UploadProgress } from '../upload';

interface Statement {
  readonly agreement: string;
  readonly period: { from: string; to: string };
  readonly rulesetVersion: string;
  readonly currency: string;
  readonly parties?: Record<string, { id: string; name: Label }>;
  readonly volume?: Record<string, string>;
  readonly figures?: readonly { id: string; label: Label; amount: string; payer?: string; payee?: string }[];
  readonly rebates?: readonly Record<string, string>[];
  readonly priceGuarantee?: readonly { sku: string; lowestFactor: string; lowestUnitPrice: string; institution: string; breach: boolean; compensation: string }[];
  readonly discrepancies?: readonly { transaction: string; sku: string; quantity: number; invoicedUnitPrice: string; agreedUnitPrice: string; invoicedAmount: string; agreedAmount: string; difference: string }[];
  readonly claims?: readonly Record<string, unknown>[];
  readonly counts?: Record<string, number>;
  readonly [section: string]: unknown;
}

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const agreement = agreementSelect(agreements);
  const from = el('input', { type: 'date', name: 'from', required: true });
  const to = el('input', { type: 'date', name: 'to', required: true });
  const progress = uploadProgress();
  const out = el('div', { id: 'statement', 'aria-live': 'polite' });
  const zone = dropZone(tr('结算文件（CSV、NDJSON 或 JSON）', 'Settlement file (CSV, NDJSON or JSON)'), UPLOAD_ACCEPT, (file) => {
    void settle(file, agreement.value, from.value, to.value, progress, out);
  });
  append(
    root,
    el('section', { 'aria-labelledby': 'settle-h' },
      el('h2', { id: 'settle-h' }, tr('结算期间', 'Settlement period')),
      el('div', { class: 'row' }, field(tr('协议', 'Agreement'), agreement), field(tr('起始日', 'From'), from), field(tr('截止日', 'To'), to)),
      el('p', { class: 'hint' }, tr('CSV/NDJSON 文件的格式见 docs/settlement.md；JSON 文件自带协议与期间。', 'The CSV/NDJSON layout is in docs/settlement.md; a JSON file carries its agreement and period.')),
      zone,
      progress.view,
    ),
    out,
  );
});

function settlementUrl(agreement: string, from: string, to: string, type: string): string {
  return type === 'application/json' ? '/v1/settlements' : `/v1/settlements?${new URLSearchParams({ agreement, from, to }).toString()}`;
}

/** Sends the file (the bar counts the bytes sent) and shows what comes back. */
async function settle(file: File, agreement: string, from: string, to: string, progress: UploadProgress, out: HTMLElement): Promise<void> {
  clear(out);
  const type = uploadType(file);
  if (type === undefined) {
    progress.status.textContent = tr('请使用 .csv、.ndjson 或 .json 文件。', 'Use a .csv, .ndjson or .json file.');
    return;
  }
  if (type !== 'application/json' && (from === '' || to === '')) {
    progress.status.textContent = tr('请先填写结算期间的起始日和截止日。', 'Enter the first and last day of the period first.');
    return;
  }
  const url = settlementUrl(agreement, from, to, type);
  const answer = await sendFile(url, file, type, progress, (total) =>
    tr(`已发送全部 ${total} 字节；服务正在逐行定价（服务端不报告定价进度）…`, `All ${total} bytes sent; the service is pricing the lines (it does not report pricing progress)…`),
  );
  if (answer.status === 200) {
    const statement = JSON.parse(answer.text) as Statement;
    progress.status.textContent = tr(`完成：已定价 ${statement.counts?.['lines'] ?? '?'} 行。`, `Done: ${statement.counts?.['lines'] ?? '?'} lines priced.`);
    append(out, statementView(statement, file, url, type, answer.text));
    return;
  }
  if (answer.status === 0) return;
  progress.status.textContent = tr(`服务拒绝了此文件（HTTP ${answer.status}）。`, `The service refused the file (HTTP ${answer.status}).`);
  append(out, problemView(new ApiError(problemOf(answer.status, answer.text))));
}

const KNOWN_SECTIONS = new Set(['figures', 'rebates', 'priceGuarantee', 'discrepancies']);

/** A section the page has no special view for (reconciliation with claims, per-affiliate rows, programmes): its keys as columns. */
function genericTable(section: string, rows: readonly Record<string, unknown>[]): HTMLElement {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown): HTMLTableCellElement =>
    typeof value === 'string' && /^-?\d+\.\d{2}$/.test(value) ? numCell(money(value)) : el('td', {}, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? ''));
  return table(keys, rows.map((row) => el('tr', {}, ...keys.map((key) => cell(row[key])))), section);
}

const VOLUME_HEAD = (): string[] => [tr('渠道', 'Channel'), tr('业务额', 'Volume')];

function statementView(s: Statement, file: File, url: string, type: string, jsonText: string): HTMLElement {
  const parties = Object.values(s.parties ?? {}).map((p) => labelOf(p.name, p.id)).join(' × ');
  const figures = s.figures ?? [];
  const view = el(
    'section',
    { 'aria-labelledby': 'statement-h', class: 'statement' },
    el('h2', { id: 'statement-h' }, `${tr('结算单', 'Statement')} ${parties} · ${s.period.from} – ${s.period.to}`),
    el('p', { class: 'hint' }, `${s.agreement} · ${tr('规则版本', 'rule version')} `, el('code', {}, s.rulesetVersion), ` · ${s.currency}`),
    figuresList(s, figures),
    el('div', { class: 'actions' }, downloadLink(jsonText, `statement-${s.agreement}-${s.period.from}.json`, 'application/json', tr('下载 JSON', 'Download JSON')), ...documentButtons(file, url, type)),
  );
  if (s.volume !== undefined) append(view, table(VOLUME_HEAD(), Object.entries(s.volume).map(([channel, amount]) => el('tr', { 'data-channel': channel }, el('td', {}, channel), numCell(money(amount)))), tr('各渠道业务额', 'Volume by channel'), 1));
  if (s.rebates !== undefined && s.rebates.length > 0) {
    append(view, table(
      [tr('买方', 'Buyer'), tr('业务额', 'Volume'), tr('已计提', 'Accrued'), tr('期末比例', 'Final rate'), tr('应返', 'Final'), tr('补差', 'True-up')],
      s.rebates.map((r) => el('tr', { 'data-buyer': r['buyer'] ?? '' }, el('td', {}, r['buyer'] ?? ''), numCell(money(r['volume'])), numCell(money(r['accrued'])), numCell(r['rate'] === undefined ? '' : percent(r['rate'])), numCell(money(r['final'])), numCell(money(r['trueUp'], true)))),
      tr('返点', 'Rebates'), 1));
  }
  if (s.priceGuarantee !== undefined && s.priceGuarantee.length > 0) {
    append(view, table(
      ['SKU', tr('最低成交', 'Lowest unit price'), tr('折扣', 'Factor'), tr('机构', 'Institution'), tr('违约', 'Breach'), tr('赔偿', 'Compensation')],
      s.priceGuarantee.map((g) => el('tr', {}, el('td', {}, g.sku), numCell(money(g.lowestUnitPrice)), numCell(discountFactor(g.lowestFactor)), el('td', {}, g.institution), el('td', {}, g.breach ? tr('是', 'yes') : tr('否', 'no')), numCell(money(g.compensation)))),
      tr('最低价保证', 'Price guarantee'), 1));
  }
  if (s.discrepancies !== undefined && s.discrepancies.length > 0) {
    append(view, table(
      [tr('交易', 'Transaction'), 'SKU', tr('数量', 'Qty'), tr('开票单价', 'Invoiced unit'), tr('协议单价', 'Agreed unit'), tr('开票金额', 'Invoiced'), tr('协议金额', 'Agreed'), tr('差额', 'Difference')],
      s.discrepancies.map((d) => el('tr', {}, el('td', {}, d.transaction), el('td', {}, d.sku), numCell(String(d.quantity)), numCell(money(d.invoicedUnitPrice)), numCell(money(d.agreedUnitPrice)), numCell(money(d.invoicedAmount)), numCell(money(d.agreedAmount)), numCell(money(d.difference, true)))),
      tr('开票差异', 'Invoice discrepancies'), 2));
  }
  for (const [section, rows] of Object.entries(s)) {
    if (!KNOWN_SECTIONS.has(section) && Array.isArray(rows) && rows.length > 0 && typeof rows[0] === 'object') append(view, genericTable(section, rows as Record<string, unknown>[]));
  }
  if (s.counts !== undefined) append(view, el('p', { class: 'hint', id: 'counts' }, Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(' · ')));
  return view;
}

/** Buttons that send the same file again asking for the printable (HTML) or spreadsheet statement. */
function documentButtons(file: File, url: string, type: string): HTMLElement[] {
  return statementFormats().map((format) => documentButton(format, `statement.${format.ext}`, (accept) => fetch(url, { method: 'POST', headers: { 'Content-Type': type, Accept: accept, ...authHeaders() }, body: file })));
}
