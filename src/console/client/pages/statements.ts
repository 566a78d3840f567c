/// <reference lib="dom" />
// The statement archive: the statements of closed months (GET /v1/statements, filtered by
// agreement, month and the partner who closed it), each downloadable as the API serves it (JSON
// as signed, CSV, HTML, xlsx), its readable HTML shown in a sandboxed frame, and verified
// (POST /v1/statements:verify: signature, content hash, recomputation from the ledger).
import { agreementSelect, append, appRoot, authHeaders, clear, el, field, getJson, listAgreements, postJson, problemView, startPage, table, tr } from '../common';
import { documentButton, statementFormats, type DocumentFormat } from '../documents';
import { isLedgerUnavailable, ledgerUnavailable, statementPath, type StatementSummary } from '../ledger-api';

interface Verification {
  readonly statementId: string;
  readonly signature: 'valid' | 'invalid' | 'unknown-key';
  readonly kid?: string;
  readonly contentHash: 'matches' | 'differs';
  readonly recomputed: 'matches' | 'differs';
  readonly differences: readonly string[];
}

interface Page {
  readonly form: HTMLFormElement;
  readonly list: HTMLElement;
  readonly verdict: HTMLElement;
  readonly view: HTMLElement;
}

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const query = new URLSearchParams(location.search);
  const agreement = agreementSelect(agreements, query.get('agreement') ?? '');
  agreement.prepend(el('option', { value: '', selected: !query.has('agreement') }, tr('全部协议', 'All agreements')));
  const period = el('input', { type: 'month', name: 'period', value: query.get('period') ?? '', placeholder: 'yyyy-mm', pattern: '\\d{4}-\\d{2}' });
  const partner = el('input', { type: 'text', name: 'partner', value: query.get('partner') ?? '', spellcheck: 'false', autocomplete: 'off' });
  const form = el(
    'form',
    { id: 'archive-filters', class: 'row' },
    field(tr('协议', 'Agreement'), agreement),
    field(tr('月份', 'Month'), period),
    field(tr('结账方（合作方）', 'Closed by (partner)'), partner),
    el('div', { class: 'field' }, el('button', { type: 'submit' }, tr('查找', 'Search'))),
  );
  const page: Page = { form, list: el('div', { id: 'archive' }), verdict: el('div', { id: 'verify-out', 'aria-live': 'polite' }), view: el('div', { id: 'statement-view' }) };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void showArchive(page);
  });
  append(root, el('section', { 'aria-labelledby': 'filters-h' }, el('h2', { id: 'filters-h' }, tr('筛选', 'Filters')), form), el('section', { 'aria-labelledby': 'archive-h' }, el('h2', { id: 'archive-h' }, tr('已存档的结算单', 'Archived statements')), page.list, page.verdict), page.view);
  await showArchive(page);
});

/** Lists the statements the filters select, newest first, as the API answers them. */
async function showArchive(page: Page): Promise<void> {
  const filters = new URLSearchParams();
  for (const [name, value] of new FormData(page.form)) if (typeof value === 'string' && value.trim() !== '') filters.set(name, value.trim());
  clear(page.list);
  clear(page.verdict);
  let statements: readonly StatementSummary[];
  try {
    statements = (await getJson<{ statements: StatementSummary[] }>(`/v1/statements?${filters.toString()}`)).statements;
  } catch (error) {
    append(page.list, isLedgerUnavailable(error) ? ledgerUnavailable() : problemView(error));
    return;
  }
  if (statements.length === 0) {
    append(page.list, el('p', { class: 'hint', id: 'no-statements' }, tr('没有符合条件的结算单：月份结账后，结算单在此存档。', 'No statement matches: a month\'s statement is archived here once the month is closed.')));
    return;
  }
  const formats: DocumentFormat[] = [{ accept: 'application/json', ext: 'json', text: 'JSON' }, ...statementFormats().map((f) => ({ ...f, text: f.ext === 'xlsx' ? 'Excel' : f.ext.toUpperCase() }))];
  const rows = statements.map((s) =>
    el(
      'tr',
      { 'data-statement': s.id },
      el('td', {}, el('code', {}, s.id)),
      el('td', {}, s.agreement),
      el('td', {}, s.period),
      el('td', {}, s.partner ?? '—'),
      el('td', {}, s.closedAt),
      el('td', {}, el('code', { title: s.contentHash }, `${s.contentHash.slice(0, 12)}…`)),
      el(
        'td',
        {},
        el(
          'div',
          { class: 'actions' },
          ...formats.map((format) => documentButton(format, `${s.id}.${format.ext}`, (accept) => fetch(statementPath(s.id), { headers: { Accept: accept, ...authHeaders() } }), { 'aria-label': `${format.text} · ${s.id}` })),
        ),
      ),
      el(
        'td',
        {},
        el(
          'div',
          { class: 'actions' },
          el('button', { type: 'button', class: 'secondary view', 'aria-label': `${tr('查看', 'View')} ${s.id}`, onclick: () => void viewStatement(page, s) }, tr('查看', 'View')),
          el('button', { type: 'button', class: 'verify', 'aria-label': `${tr('验证', 'Verify')} ${s.id}`, onclick: () => void verifyStatement(page, s) }, tr('验证', 'Verify')),
        ),
      ),
    ),
  );
  append(
    page.list,
    table(
      [tr('结算单', 'Statement'), tr('协议', 'Agreement'), tr('月份', 'Month'), tr('结账方', 'Closed by'), tr('结账时间', 'Closed at'), tr('内容哈希', 'Content hash'), tr('下载', 'Download'), tr('查看与验证', 'View and verify')],
      rows,
      tr(`共 ${statements.length} 份结算单，最新在前`, `${statements.length} statement(s), newest first`),
    ),
  );
}

/**
 * The readable statement as the API renders it, in a sandboxed frame (no script, an opaque
 * origin). Its own style is allowed by the console's CSP through the statement style's hash.
 */
async function viewStatement(page: Page, s: StatementSummary): Promise<void> {
  clear(page.view);
  const response = await fetch(statementPath(s.id), { headers: { Accept: 'text/html', ...authHeaders() } });
  if (!response.ok) {
    append(page.view, problemView(new Error(`HTTP ${response.status}`)));
    return;
  }
  const heading = el('h2', { id: 'view-h', tabindex: -1 }, `${tr('结算单', 'Statement')} ${s.id}`);
  append(page.view, el('section', { 'aria-labelledby': 'view-h' }, heading, el('iframe', { class: 'statement-frame', sandbox: '', title: `${tr('可读结算单', 'Readable statement')} ${s.id}`, srcdoc: await response.text() })));
  heading.focus();
}

const VERDICT_TEXT = {
  valid: () => tr('有效', 'valid'),
  invalid: () => tr('无效', 'not valid'),
  'unknown-key': () => tr('签名密钥未知', 'signed by an unknown key'),
  matches: () => tr('一致', 'matches'),
  differs: () => tr('不一致', 'differs'),
};

/** Verifies the statement (its content hash as the archive lists it) and shows each verdict and every member that differs. */
async function verifyStatement(page: Page, s: StatementSummary): Promise<void> {
  clear(page.verdict);
  try {
    const { body: v } = await postJson<Verification>('/v1/statements:verify', { statementId: s.id, contentHash: s.contentHash });
    const valid = v.signature === 'valid' && v.contentHash === 'matches' && v.recomputed === 'matches';
    append(
      page.verdict,
      el(
        'section',
        { class: `verdict ${valid ? 'valid' : 'invalid'}`, 'data-valid': String(valid), 'data-statement': v.statementId, 'aria-labelledby': 'verdict-h' },
        el('h3', { id: 'verdict-h' }, `${tr('验证', 'Verification of')} ${v.statementId}: ${valid ? tr('通过', 'all holds') : tr('未通过', 'something does not hold')}`),
        el(
          'dl',
          { class: 'params' },
          el('dt', {}, tr('签名', 'Signature')),
          el('dd', { 'data-check': 'signature' }, VERDICT_TEXT[v.signature](), v.kid === undefined ? '' : ` (kid ${v.kid})`),
          el('dt', {}, tr('内容哈希', 'Content hash')),
          el('dd', { 'data-check': 'contentHash' }, VERDICT_TEXT[v.contentHash]()),
          el('dt', {}, tr('按台账重新计算', 'Recomputed from the ledger')),
          el('dd', { 'data-check': 'recomputed' }, VERDICT_TEXT[v.recomputed]()),
        ),
        v.differences.length === 0 ? null : el('ul', { class: 'differences' }, ...v.differences.map((d) => el('li', {}, el('code', {}, d)))),
      ),
    );
  } catch (error) {
    append(page.verdict, isLedgerUnavailable(error) ? ledgerUnavailable() : problemView(error));
  }
}
