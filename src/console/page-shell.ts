/** The console's pages: where each lives, its title in both languages. */
export const CONSOLE_PAGES = [
  { id: 'agreements', path: '/console/', zh: '协议', en: 'Agreements' },
  { id: 'simulator', path: '/console/simulator', zh: '报价模拟', en: 'Quote simulator' },
  { id: 'settlement', path: '/console/settlement', zh: '结算', en: 'Settlement' },
  { id: 'what-if', path: '/console/what-if', zh: '假设分析', en: 'What-if' },
  { id: 'ledger', path: '/console/ledger', zh: '台账', en: 'Ledger' },
  { id: 'statements', path: '/console/statements', zh: '结算单存档', en: 'Statement archive' },
] as const;

export type ConsolePage = (typeof CONSOLE_PAGES)[number];
export type ConsoleLanguage = 'zh' | 'en';

const TEXT = {
  zh: {
    product: '算盘 · 控制台',
    nav: '页面',
    switchTo: 'English',
    switchLang: 'en',
    key: 'API 密钥',
    keyHint: '只保存在本标签页（sessionStorage），随每个请求发送。',
    save: '保存',
    forget: '清除',
    noscript: '此控制台需要启用 JavaScript。',
  },
  en: {
    product: 'suanpan · console',
    nav: 'Pages',
    switchTo: '中文',
    switchLang: 'zh',
    key: 'API key',
    keyHint: 'Kept in this tab only (sessionStorage) and sent with every request.',
    save: 'Save',
    forget: 'Forget',
    noscript: 'This console needs JavaScript.',
  },
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The server-rendered frame of a console page: navigation, the language switch, the API key
 * form and an empty `<main>` the page's script fills from the API. No inline script or style:
 * the page's behaviour is `/console/assets/<page>.js`, its look `/console/assets/console.css`.
 */
export function renderPageShell(page: ConsolePage, lang: ConsoleLanguage): string {
  const t = TEXT[lang];
  const title = lang === 'zh' ? page.zh : page.en;
  const nav = CONSOLE_PAGES.map(
    (p) => `<li><a href="${p.path}?lang=${lang}"${p.id === page.id ? ' aria-current="page"' : ''}>${escapeHtml(lang === 'zh' ? p.zh : p.en)}</a></li>`,
  ).join('');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${title} · ${t.product}`)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/${page.id}.js" defer></script>
</head>
<body data-page="${page.id}" data-lang="${lang}">
<a class="skip" href="#main">${lang === 'zh' ? '跳到正文' : 'Skip to content'}</a>
<header class="top">
<p class="brand">${escapeHtml(t.product)}</p>
<nav aria-label="${escapeHtml(t.nav)}"><ul>${nav}</ul></nav>
<a class="lang" href="${page.path}?lang=${t.switchLang}" lang="${t.switchLang === 'zh' ? 'zh-CN' : 'en'}" hreflang="${t.switchLang}">${t.switchTo}</a>
</header>
<form class="key" id="key-form" autocomplete="off">
<label for="api-key">${escapeHtml(t.key)}</label>
<input id="api-key" name="api-key" type="password" spellcheck="false" aria-describedby="key-hint">
<button type="submit">${escapeHtml(t.save)}</button>
<button type="button" id="key-forget">${escapeHtml(t.forget)}</button>
<span id="key-hint" class="hint">${escapeHtml(t.keyHint)}</span>
</form>
<div id="alert" role="alert" class="alert" hidden></div>
<main id="main">
<h1>${escapeHtml(title)}</h1>
<noscript><p>${escapeHtml(t.noscript)}</p></noscript>
<div id="app"></div>
</main>
</body>
</html>
`;
}
