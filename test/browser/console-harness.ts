import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { buildConsoleAssets } from '../../src/console/build-client';
import { launchChromium, type HeadlessChromium } from '../support/chromium';
import { RulesHolder } from '../../src/rules/rules-holder';
import { dataDirLedger, RULES_DIR, testApp } from '../support/test-app';

export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');
export const API_KEY = 'console-test-key';

export interface ConsoleHarness {
  readonly origin: string;
  readonly browser: HeadlessChromium;
  readonly tmp: string;
  close(): Promise<void>;
}

export interface ConsoleHarnessOptions {
  /**
   * The service's ledger: in memory (the default), in `ledger.sqlite` of a temporary data
   * directory as the server keeps it, or none (its routes answer 503 LEDGER_UNAVAILABLE).
   */
  readonly ledger?: 'memory' | 'data-dir' | 'none';
}

/**
 * The service with an API key configured (so every /v1 call needs it), its console assets built
 * by esbuild into a temporary folder, listening on 127.0.0.1 on a free port; and a headless
 * Chromium.
 */
export async function startConsoleHarness(options: ConsoleHarnessOptions = {}): Promise<ConsoleHarness> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'suanpan-console-'));
  const assets = path.join(tmp, 'assets');
  await buildConsoleAssets(assets);
  const rules = new RulesHolder(RULES_DIR);
  rules.load();
  const opened = options.ledger === 'data-dir' ? await dataDirLedger(rules, path.join(tmp, 'data')) : undefined;
  const ledger = options.ledger === 'none' ? { ledger: undefined } : opened === undefined ? {} : { ledger: opened.ledger };
  const app = testApp({ rules, apiKeys: new Map([[API_KEY, 'finance-team']]), consoleAssetsDir: assets, today: () => '2026-11-26', ...ledger });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    origin,
    browser,
    tmp,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opened?.store.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A new page that records every console error and uncaught exception (a CSP violation is one). */
export async function openPage(harness: ConsoleHarness, pathAndQuery: string, options: { readonly withKey?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await harness.browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // the key a user typed earlier in this tab (the key form itself is tested on its own); init
  // scripts run in every frame, and a sandboxed frame (the archive's statement view) has no storage
  if (options.withKey !== false) await page.addInitScript((key) => window.top === window && sessionStorage.setItem('suanpan.apiKey', key), API_KEY);
  await page.goto(`${harness.origin}${pathAndQuery}`);
  return { page, errors };
}

/** Types the API key into the page frame's form, as a user does once per tab. */
export async function enterKey(page: Page, key = API_KEY): Promise<void> {
  await page.fill('#api-key', key);
  await page.click('#key-form button[type=submit]');
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  // evaluated over the DevTools protocol: the page's CSP (no inline script) does not apply
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Full-page screenshots at 1280 and 390 px wide under test-artifacts/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

export interface GoldenCase {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly request: Record<string, unknown> & { agreement: string };
  readonly expect: Record<string, unknown>;
}

/** The golden cases of the rules directory whose file name matches `pattern`. */
export function goldenCases(pattern: RegExp): GoldenCase[] {
  return readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'schema')
    .flatMap((agreement) => {
      const dir = path.join(RULES_DIR, agreement.name, 'cases');
      return readdirSync(dir)
        .filter((file) => pattern.test(file))
        .map((file) => ({ file: path.join(dir, file), ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<GoldenCase, 'file'>) }));
    });
}

/** A decimal string as the console shows it: thousands grouped. */
export function shown(decimal: string): string {
  const [whole, fraction] = decimal.split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}
