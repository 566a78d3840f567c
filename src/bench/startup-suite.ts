import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RulesHolder } from '../rules/rules-holder';
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
 * reload (the longest the event loop waits while RulesHolder.reload loads and validates).
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
  // a reload as SIGHUP and POST /admin/rules:reload run it (load, lock, lint, golden cases),
  // while a 1 ms timer measures how long the event loop — the requests — had to wait
  const holder = new RulesHolder(RULES_DIR);
  const first = await holder.reload();
  if (!first.ok) throw new Error(`the bundled rules do not reload: ${first.problems.map((p) => p.reason).join('; ')}`);
  const reloads: number[] = [];
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  for (let i = 0; i < runs * 3; i++) {
    const start = performance.now();
    await holder.reload();
    reloads.push(performance.now() - start);
    await sleep(5);
  }
  stalls.disable();
  const startMs = median(loaded);
  const worstStall = stalls.max / 1e6;
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
      figure: `reload (load, lint, golden cases): longest event-loop stall over ${reloads.length} reloads`,
      value: `${worstStall.toFixed(1)} ms`,
      baseline: `reload takes ${median(reloads).toFixed(0)} ms`,
      ratio: '',
      target: '≤ 50 ms',
      met: worstStall <= 50 ? 'yes' : 'NO',
    },
  ];
}
