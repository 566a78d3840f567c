/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The console's shared browser code: language, the API key, calls to the /v1 API and the
// formatting of the decimal strings it answers. No pricing happens here: every figure a page
// shows is a string the API computed, only grouped, signed or turned into % for reading.
import { grouped, money, percent, shiftPoint } from './decimal-text';

export type Lang = 'zh' | 'en';
export type Label = { readonly zh: string; readonly en: string } | string | undefined;

export const lang: Lang = document.body.dataset['lang'] === 'en' ? 'en' : 'zh';

/** The text in the page's language. */
export function tr(zh: string, en: string): string {
  return lang === 'zh' ? zh : en;
}

/** A bilingual label of the API in the page's language. */
export function labelOf(label: Label, fallback = ''): string {
  if (label === undefined) return fallback;
  if (typeof label === 'string') return label;
  return label[lang] ?? label.zh ?? fallback;
}

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Builds an element: attributes (`on…` functions become listeners, `false`/undefined are left out) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild !== null) node.removeChild(node.firstChild);
}

/** The page's content area. */
export function appRoot(): HTMLElement {
  return document.getElementById('app')!;
}

let idCounter = 0;
/** A fresh element id for label/input pairs. */
export function freshId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// ---- the API key ---------------------------------------------------------------------------

const KEY_ITEM = 'suanpan.apiKey';

export function apiKey(): string | undefined {
  const key = sessionStorage.getItem(KEY_ITEM);
  return key === null || key === '' ? undefined : key;
}

/** The headers that present the caller's key, as the API reads it (`Authorization: Bearer`). */
export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key === undefined ? {} : { Authorization: `Bearer ${key}` };
}

/** Wires the key form of the page frame; `onChange` runs after the key is saved or forgotten. */
export function setUpKeyForm(onChange: () => void): void {
  const form = document.getElementById('key-form') as HTMLFormElement;
  const input = document.getElementById('api-key') as HTMLInputElement;
  input.value = apiKey() ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_ITEM, input.value.trim());
    hideAlert();
    onChange();
  });
  document.getElementById('key-forget')!.addEventListener('click', () => {
    sessionStorage.removeItem(KEY_ITEM);
    input.value = '';
    onChange();
  });
}

// ---- alerts and problems -------------------------------------------------------------------

export function showAlert(message: string): void {
  const alert = document.getElementById('alert')!;
  alert.textContent = message;
  alert.hidden = false;
}

export function hideAlert(): void {
  const alert = document.getElementById('alert')!;
  alert.hidden = true;
  alert.textContent = '';
}

/** An RFC 9457 problem the API answered. */
export interface Problem {
  readonly status: number;
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly requestId?: string;
  readonly errors?: readonly { pointer?: string; code?: string; detail?: string; transaction?: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const UNAUTHORIZED = () => tr('API 密钥缺失或无效（401）：请在页面顶部输入有效的 API 密钥后再试。', 'The API key is missing or not valid (401): enter a valid API key at the top of the page and try again.');
const FORBIDDEN = () => tr('此 API 密钥无权执行该操作（403）。', 'This API key may not do this (403).');

/** Reads an answer's problem body (or makes one of its status) and raises the page alert for 401/403. */
export function problemOf(status: number, bodyText: string): Problem {
  let problem: Problem = { status };
  try {
    const parsed = JSON.parse(bodyText) as Problem;
    if (typeof parsed === 'object' && parsed !== null) problem = { ...parsed, status };
  } catch {
    // not a problem body: its status says enough
  }
  if (status === 401) showAlert(UNAUTHORIZED());
  if (status === 403) showAlert(FORBIDDEN());
  return problem;
}

/** Calls the API with the caller's key; answers the parsed JSON and the raw text, or throws ApiError. */
export async function callApi<T>(path: string, init: RequestInit = {}): Promise<{ readonly body: T; readonly text: string; readonly response: Response }> {
  const response = await fetch(path, { ...init, headers: { Accept: 'application/json', ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  const text = await response.text();
  if (!response.ok) throw new ApiError(problemOf(response.status, text));
  return { body: JSON.parse(text) as T, text, response };
}

export async function getJson<T>(path: string): Promise<T> {
  return (await callApi<T>(path)).body;
}

export async function postJson<T>(path: string, body: unknown): Promise<{ readonly body: T; readonly text: string }> {
  return callApi<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** A problem as a block: its detail and every field at fault (row numbers for a file). */
export function problemView(error: unknown): HTMLElement {
  if (!(error instanceof ApiError)) return el('p', { class: 'problem', role: 'alert' }, tr('出错了：', 'Something went wrong: '), String(error instanceof Error ? error.message : error));
  const problem = error.problem;
  const box = el('section', { class: 'problem', 'aria-label': tr('问题', 'Problem') });
  append(box, el('p', {}, el('strong', {}, `${problem.code ?? problem.status}`), ' ', problem.detail ?? problem.title ?? ''));
  const errors = problem.errors ?? [];
  if (errors.length > 0) {
    const rows = errors.map((issue) => {
      const row = /^\/rows\/(\d+)(?:\/(.*))?$/.exec(issue.pointer ?? '');
      // a ledger refusal (409) names the transaction in its pointer: /transactions/{id}
      const transaction = issue.transaction ?? /^\/transactions\/([^/]+)$/.exec(issue.pointer ?? '')?.[1] ?? '';
      return el('tr', { 'data-code': issue.code }, el('td', {}, row === null ? '' : row[1]!), el('td', {}, el('code', {}, row === null ? (issue.pointer ?? '') : (row[2] ?? ''))), el('td', {}, issue.code ?? ''), el('td', { class: 'transaction' }, transaction), el('td', {}, issue.detail ?? ''));
    });
    append(box, table([tr('行', 'Row'), tr('字段', 'Field'), tr('代码', 'Code'), tr('交易', 'Transaction'), tr('说明', 'Detail')], rows, tr(`共 ${errors.length} 个问题`, `${errors.length} problem(s)`)));
  }
  if (problem.requestId !== undefined) append(box, el('p', { class: 'hint' }, `requestId ${problem.requestId}`));
  return box;
}

/** A table with a caption, its header row and body rows; numeric columns (from an index on, or each flagged) are right-aligned. */
export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], caption?: string, numeric: number | readonly boolean[] = Number.POSITIVE_INFINITY): HTMLElement {
  const isNumeric = (i: number): boolean => (typeof numeric === 'number' ? i >= numeric : numeric[i] === true);
  const head = el('tr', {}, ...headers.map((h, i) => el('th', { scope: 'col', class: isNumeric(i) ? 'num' : undefined }, h)));
  return el('div', { class: 'table-wrap', role: 'region', 'aria-label': caption ?? headers.join(' · '), tabindex: 0 }, el('table', {}, caption === undefined ? null : el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...rows)));
}

/** A cell holding an amount, right-aligned. */
export function numCell(text: string, extraClass = ''): HTMLTableCellElement {
  return el('td', { class: `num ${extraClass}`.trim() }, text);
}

// ---- reading the API's decimal strings -----------------------------------------------------

export { grouped, money, percent, shiftPoint };

/** A price factor as 折 (zh) or as a percentage of list (en): "0.85" → "8.5 折" / "85 % of list". */
export function discountFactor(factor: string): string {
  return lang === 'zh' ? `${shiftPoint(factor, 1)} 折` : `${shiftPoint(factor, 2)} % of list`;
}

/** The rule reference block of a quote or agreement as a map id → label text. */
export function ruleNames(rules: Record<string, { label?: Label; clause?: string }> | readonly { id: string; label?: Label; clause?: string }[]): Map<string, { label: string; clause: string }> {
  const names = new Map<string, { label: string; clause: string }>();
  const entries = Array.isArray(rules) ? rules.map((rule) => [rule.id, rule] as const) : Object.entries(rules);
  for (const [id, rule] of entries) names.set(id, { label: labelOf(rule.label, id), clause: rule.clause ?? '' });
  return names;
}

// ---- agreements ----------------------------------------------------------------------------

export interface AgreementSummary {
  readonly agreement: string;
  readonly title: Label;
  readonly currency: string;
  readonly versions: readonly { readonly effectiveFrom: string; readonly rulesetVersion: string }[];
}

export interface Attribute {
  readonly type: 'boolean' | 'string' | 'decimal' | 'enum';
  readonly values?: readonly string[];
  readonly label?: Label;
}

export interface AgreementRule {
  readonly id: string;
  readonly clause?: string;
  readonly label?: Label;
  readonly priority?: number;
  readonly conditions?: unknown;
  readonly event: { readonly type: string; readonly params?: Record<string, unknown> };
  readonly stage?: string;
  readonly step?: string;
  readonly exclusivity?: { readonly group: string; readonly policy: string };
}

export interface AgreementDetail {
  readonly agreement: string;
  readonly effectiveFrom: string;
  readonly rulesetVersion: string;
  readonly title: Label;
  readonly source?: string;
  readonly parties: Record<string, { readonly id: string; readonly name: Label }>;
  readonly timeZone: string;
  readonly currency: string;
  readonly channels: readonly { readonly id: string; readonly label: Label; readonly business?: boolean; readonly chamberBusiness?: boolean }[];
  readonly catalog: readonly { readonly sku: string; readonly name: Label; readonly category: string; readonly listPrice: string }[];
  readonly attributes?: { readonly buyer?: Record<string, Attribute>; readonly order?: Record<string, Attribute> };
  readonly coupons?: readonly { readonly code: string; readonly label: Label }[];
  readonly rules: readonly AgreementRule[];
}

export async function listAgreements(): Promise<readonly AgreementSummary[]> {
  return (await getJson<{ agreements: AgreementSummary[] }>('/v1/agreements')).agreements;
}

export async function agreementOn(agreement: string, date?: string): Promise<AgreementDetail> {
  return getJson<AgreementDetail>(`/v1/agreements/${encodeURIComponent(agreement)}${date === undefined || date === '' ? '' : `?date=${encodeURIComponent(date)}`}`);
}

/** A labelled form control: `<label>` + control, in one wrapper. */
export function field(labelText: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id === '' ? freshId('f') : control.id;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, labelText), control, hint === undefined ? null : el('span', { class: 'hint' }, hint));
}

/** A select of the agreements the key may use. */
export function agreementSelect(agreements: readonly AgreementSummary[], selected?: string): HTMLSelectElement {
  return el('select', { name: 'agreement' }, ...agreements.map((a) => el('option', { value: a.agreement, selected: a.agreement === selected }, `${labelOf(a.title, a.agreement)} (${a.agreement})`)));
}

/** Today in Asia/Shanghai, the agreements' business day, as yyyy-mm-dd (a form default only). */
export function todayInShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Offers text as a file the browser saves. */
export function downloadLink(text: string | Blob, fileName: string, type: string, linkText: string): HTMLAnchorElement {
  const blob = typeof text === 'string' ? new Blob([text], { type }) : text;
  return el('a', { href: URL.createObjectURL(blob), download: fileName, class: 'button' }, linkText);
}

/** A drop zone over a file input: `onFile` receives the file dropped or chosen. */
export function dropZone(labelText: string, accept: string, onFile: (file: File) => void): HTMLElement {
  const input = el('input', { type: 'file', accept, class: 'file' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    // cleared, so choosing the same file again (after changing an option) sends it again
    input.value = '';
    if (file !== undefined) onFile(file);
  });
  const zone = el('div', { class: 'drop' }, el('label', { for: (input.id = freshId('file')) }, labelText), input, el('span', { class: 'hint' }, tr('把文件拖到这里，或点击选择', 'Drop the file here, or choose it')));
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) onFile(file);
  });
  return zone;
}

/** Runs a page: wires the key form and (re)loads the page when the key changes. */
export function startPage(load: () => Promise<void>): void {
  const run = (): void => {
    hideAlert();
    load().catch((error: unknown) => {
      const root = appRoot();
      clear(root);
      append(root, problemView(error));
    });
  };
  setUpKeyForm(run);
  run();
}
