import path from 'node:path';
import express, { Router, type Response } from 'express';
import { statementStyleSource } from '../io/statement-html';
import { CONSOLE_PAGES, renderPageShell, type ConsoleLanguage } from './page-shell';

/**
 * The console's own Content-Security-Policy, stricter than the API's: everything from this
 * origin, no inline script or style (the pages style through their stylesheet and the CSSOM),
 * no third-party origin. `blob:` lets a page offer a fetched document for download. The one
 * inline style allowed is the readable statement's, by its hash: the archive page shows that
 * document in a sandboxed `srcdoc` frame, which inherits this policy (and no script runs in it).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${statementStyleSource()}`,
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the console's browser bundles: dist/console/assets, next to this
 * file once compiled, and the same folder seen from src/console when run by ts-node or jest.
 */
export function defaultConsoleAssetsDir(): string {
  const compiled = path.basename(path.dirname(__dirname)) === 'dist';
  return compiled ? path.join(__dirname, 'assets') : path.resolve(__dirname, '..', '..', 'dist', 'console', 'assets');
}

function languageOf(query: unknown): ConsoleLanguage {
  return query === 'en' ? 'en' : 'zh';
}

function strict(res: Response): void {
  res.set('Content-Security-Policy', CONSOLE_CSP);
}

/**
 * GET /console/… — the finance console: server-rendered page frames and their built assets.
 * Every figure on a page is fetched by the page from the /v1 API with the caller's key; this
 * router serves no data and needs none.
 */
export function consoleRoutes(assetsDir: string = defaultConsoleAssetsDir()): Router {
  const router = Router();
  router.get('/console', (req, res, next) => {
    // routing is not strict: /console/ arrives here too, and is the agreements page
    if (req.originalUrl.split('?')[0] !== '/console') {
      next();
      return;
    }
    res.redirect(301, '/console/');
  });
  for (const page of CONSOLE_PAGES) {
    router.get(page.path, (req, res) => {
      strict(res);
      res.set('Cache-Control', 'no-cache').type('html').send(renderPageShell(page, languageOf(req.query['lang'])));
    });
  }
  router.use(
    '/console/assets',
    (_req, res, next) => {
      strict(res);
      next();
    },
    express.static(assetsDir, { fallthrough: true, index: false, maxAge: '5m' }),
  );
  return router;
}
