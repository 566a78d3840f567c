import path from 'node:path';
import { CONSOLE_PAGES } from './page-shell';

/** The repository's root, seen from src/console (ts-jest) or dist/console (compiled). */
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Bundles the console's browser code (src/console/client: one script per page, chart.js
 * inlined) and its stylesheet into `outDir` with esbuild. Run by `npm run build` into
 * dist/console/assets; the browser tests build into a temporary folder. esbuild is a build-time
 * tool (a devDependency), loaded only here.
 */
export async function buildConsoleAssets(outDir: string, options: { readonly minify?: boolean } = {}): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const client = path.join(ROOT, 'src', 'console', 'client');
  await esbuild.build({
    entryPoints: [...CONSOLE_PAGES.map((page) => ({ in: path.join(client, 'pages', `${page.id}.ts`), out: page.id })), { in: path.join(client, 'console.css'), out: 'console' }],
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (require.main === module) {
  buildConsoleAssets(process.argv[2] ?? path.join(ROOT, 'dist', 'console', 'assets')).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
