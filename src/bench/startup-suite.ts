import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { RuleCatalog } from '../rules/rule-catalog';
import { RULES_DIR } from './domain-suite';
import { median, type BenchOptions } from './measure';
import type { BenchRow } from './report';

/** Milliseconds from spawning `node <args>` until it writes its first line to stdout. */
export function timeToFirstLine(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let done = false;
    child.stdout.on('data', () => {
      if (done) return;
      done = true;
      resolve(performance.now() - start);
      child.kill();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`node ${args.join(' ')} exited with ${code} before printing`));
    });
  });
}

/**
 * Start-up (a fresh process loading the bundled rules, beside a bare `node` start) and
 * reload (how long RuleCatalog.load blocks the event loop of a warm process).
 */
export async function startupSuite(options: BenchOptions): Promise<BenchRow[]> {
  const runs = options.quick ? 3 : 7;
  const loadScript = `const {RuleCatalog}=require(${JSON.stringify(require.resolve('../rules/rule-catalog'))});RuleCatalog.load(${JSON.stringify(RULES_DIR)});console.log('ready')`;
  const bare: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await timeToFirstLine(['-e', "console.log('ready')"]));
    loaded.push(await timeToFirstLine(['-e', loadScript]));
  }
  const reloads: number[] = [];
  for (let i = 0; i < runs * 3; i++) {
    const start = performance.now();
    RuleCatalog.load(RULES_DIR);
    reloads.push(performance.now() - start);
  }
  const startMs = median(loaded);
  const worstReload = Math.max(...reloads);
  return [
    {
      figure: 'start-up: fresh process loads the bundled rules (vs bare node)',
      value: `${startMs.toFixed(0)} ms`,
      baseline: `${median(bare).toFixed(0)} ms`,
      ratio: `${(startMs / median(bare)).toFixed(2)}×`,
      target: '< 1,000 ms',
      met: startMs < 1000 ? 'yes' : 'NO',
    },
    {
      figure: `reload: RuleCatalog.load blocks the event loop (worst of ${reloads.length})`,
      value: `${worstReload.toFixed(1)} ms`,
      baseline: `${median(reloads).toFixed(1)} ms median`,
      ratio: '',
      target: '≤ 50 ms',
      met: worstReload <= 50 ? 'yes' : 'NO',
    },
  ];
}
