import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { listen } from '../support/raw-http';
import { RULES_DIR, testApp } from '../support/test-app';

/**
 * Runs the shell commands of README.md in the order a newcomer would, in a scratch workspace
 * (a copy of rules/, examples/ and the test fixtures): every `npx suanpan …` through the CLI,
 * `mkdir`/`cp` through bash, every `curl` against the app listening on a free port. A
 * documented answer that follows a command (a ```json block, an untagged output block) is
 * compared with the real one. Commands that build, start or signal the service are not run
 * (the other tests cover them); a command of any other kind fails this test until it is
 * classified here.
 */
const ROOT = path.resolve(__dirname, '../..');
const NOT_RUN = [/^npm (ci|run build|start|test|run bench|run load|run fuzz|run check:container)\b/, /^npm ci && npm (start|test)$/, /^kill /, /^node examples\/verify-quote\.mjs /];

interface Command {
  readonly text: string;
  /** The comment lines just above it (a rule author's edit described in words). */
  readonly comments: readonly string[];
  /** The fenced block right after the command's block, if any: the documented answer. */
  readonly answer?: { readonly lang: string; readonly text: string };
}

/** The commands of every ```sh block, continuation lines joined, trailing comments cut. */
export function shellCommands(markdown: string): Command[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([^]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]!, start: m.index!, end: m.index! + m[0].length }));
  const commands: Command[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'sh') return;
    // the answer is the next block when nothing but a short "answers …:" line stands between
    const next = blocks[i + 1];
    const gap = next === undefined ? '' : markdown.slice(block.end, next.start).trim();
    const answer = next !== undefined && next.lang !== 'sh' && (gap === '' || (gap.length < 200 && gap.endsWith(':'))) ? { lang: next.lang, text: next.text } : undefined;
    let comments: string[] = [];
    for (const line of logicalLines(block.text)) {
      if (line.startsWith('#')) {
        comments.push(line.slice(1).trim());
        continue;
      }
      commands.push({ text: line.replace(/\s+#\s.*$/, ''), comments, ...(answer === undefined ? {} : { answer }) });
      comments = [];
    }
  });
  return commands;
}

/** The logical lines of a shell block: `\`-newline continues a line, a newline inside quotes is kept. */
function logicalLines(block: string): string[] {
  const lines: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < block.length; i++) {
    const c = block[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === '\\' && block[i + 1] === '\n') {
      i += 1;
    } else if (c === '\n') {
      if (current.trim() !== '') lines.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim() !== '') lines.push(current.trim());
  return lines;
}

/** Splits a command line into words: '…' and "…" quoting, no expansion. */
function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function bash(command: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }));
  });
}

/** A rule author's edit described in a comment: `<version>/<file>.json: "member": "value"` sets that member. */
function applyDescribedEdit(workspace: string, comment: string): boolean {
  const edit = /^(\d{4}-\d{2}-\d{2}\/[\w/.-]+\.json): "(\w+)": "([^"]+)"/.exec(comment);
  if (edit === null) return false;
  const [, file, member, value] = edit as unknown as [string, string, string, string];
  const found = readdirSync(path.join(workspace, 'rules')).map((agreement) => path.join(workspace, 'rules', agreement, file)).filter((candidate) => existsSync(candidate));
  expect(found).toHaveLength(1);
  const json = JSON.parse(readFileSync(found[0]!, 'utf8'));
  const set = (node: any): boolean => {
    if (node === null || typeof node !== 'object') return false;
    if (typeof node[member] === 'string') {
      node[member] = value;
      return true;
    }
    return Object.values(node).some(set);
  };
  expect(set(json)).toBe(true);
  writeFileSync(found[0]!, JSON.stringify(json, null, 2));
  return true;
}

/**
 * "add golden cases dated 2028 …": the case a rule author would write for the README's new
 * version (member discount 10 %), its figures worked out by hand: 3 × BYK-M01 at list 298.00,
 * 298.00 × 0.90 = 268.20 a unit, 804.60 the line, commission 10 % = 80.46.
 */
function addGoldenCase(workspace: string, comment: string): boolean {
  const dated = /^add golden cases dated (\d{4}) to (rules\/[\w-]+\/cases\/)/.exec(comment);
  if (dated === null) return false;
  const [, year, casesDir] = dated as unknown as [string, string, string];
  const goldenCase = {
    name: `README walk-through: the ${year} version gives members 10 %`,
    kind: 'quote',
    request: { agreement: casesDir.split('/')[1], channel: 'member-direct', date: `${year}-03-01`, buyer: { id: 'M-007', member: true, keyAccount: false }, lines: [{ sku: 'BYK-M01', quantity: 3 }] },
    expect: { effectiveFrom: `${year}-01-01`, lines: [{ sku: 'BYK-M01', unitPrice: '268.20', amount: '804.60', commission: '80.46' }], totals: { net: '804.60', commission: '80.46' } },
  };
  writeFileSync(path.join(workspace, casesDir, `readme-${year}-member-direct.json`), JSON.stringify(goldenCase, null, 2));
  return true;
}

/** Checks a real answer against the documented one: the figures and codes it shows must be the real ones. */
function expectDocumentedAnswer(actual: string, answer: Command['answer']): void {
  if (answer === undefined) return;
  if (answer.lang === 'json') {
    const documented = JSON.parse(answer.text);
    const real = JSON.parse(actual);
    for (const member of ['code', 'status', 'totals', 'agreement', 'channel', 'effectiveFrom', 'rulesetVersion']) {
      if (member in documented) expect({ [member]: real[member] }).toEqual({ [member]: documented[member] });
    }
    return;
  }
  if (answer.lang === '') {
    const shown = answer.text.split('\n').filter((line) => line.trim() !== '' && line.trim() !== '…');
    expect(shown.filter((line) => !actual.includes(line))).toEqual([]);
  }
}

describe('the README, command by command', () => {
  let workspace: string;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'suanpan-readme-'));
    cpSync(RULES_DIR, path.join(workspace, 'rules'), { recursive: true });
    symlinkSync(path.join(ROOT, 'examples'), path.join(workspace, 'examples'));
    symlinkSync(path.join(ROOT, 'test'), path.join(workspace, 'test'));
    server = await listen(testApp());
    // the walk-through creates a version that the README's rules do not have yet: should the
    // bundle have gained it (or a later one) since, the workspace is the rules as the README tells
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [, agreement, date] of readme.matchAll(/^mkdir rules\/([\w-]+)\/(\d{4}-\d{2}-\d{2})$/gm)) {
      const lockFile = path.join(workspace, 'rules', 'rules.lock.json');
      const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>;
      for (const version of readdirSync(path.join(workspace, 'rules', agreement!)).filter((name) => /^\d{4}-/.test(name) && name >= date!)) {
        rmSync(path.join(workspace, 'rules', agreement!, version), { recursive: true });
        delete lock[`${agreement}/${version}`];
      }
      writeFileSync(lockFile, JSON.stringify(lock));
      const casesDir = path.join(workspace, 'rules', agreement!, 'cases');
      for (const name of readdirSync(casesDir)) {
        const { request } = JSON.parse(readFileSync(path.join(casesDir, name), 'utf8')) as { request: { date?: string; period?: { from?: string } } };
        if ((request.date ?? request.period?.from ?? '') >= date!) rmSync(path.join(casesDir, name));
      }
    }
  });
  afterAll(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('finds the commands a newcomer runs', () => {
    const commands = shellCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((c) => c.text);
    expect(commands).toEqual(expect.arrayContaining([expect.stringMatching(/^npx suanpan settle /), expect.stringMatching(/^npx suanpan rules lint --update-lock/), expect.stringMatching(/^curl /), expect.stringMatching(/^cp /)]));
  });

  it('every command does what the README says', async () => {
    const ran: string[] = [];
    for (const command of shellCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))) {
      for (const comment of command.comments) applyDescribedEdit(workspace, comment) || addGoldenCase(workspace, comment);
      const text = command.text.replace(/ \[[a-z]+\]/g, ''); // optional arguments shown as [dir]
      if (NOT_RUN.some((pattern) => pattern.test(text))) continue;
      ran.push(text);
      if (text.startsWith('npx suanpan ')) {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(words(text).slice(2), { out: (t) => out.push(t), err: (t) => err.push(t), cwd: workspace });
        expect({ command: text, code, err: err.join('\n') }).toEqual({ command: text, code: 0, err: '' });
        expectDocumentedAnswer(out.join('\n'), command.answer);
      } else if (/^(mkdir|cp) /.test(text)) {
        expect(await bash(text, workspace)).toEqual({ code: 0, stdout: '', stderr: '' });
      } else if (text.startsWith('curl ')) {
        const result = await bash(text.replaceAll('localhost:8080', `127.0.0.1:${server.port}`), workspace);
        expect({ command: text, code: result.code, stderr: result.stderr }).toEqual({ command: text, code: 0, stderr: '' });
        expect(result.stdout).not.toMatch(/"code":\s*"(NOT_FOUND|INTERNAL_ERROR|UNSUPPORTED_MEDIA_TYPE)"/);
        expectDocumentedAnswer(result.stdout, command.answer);
      } else {
        throw new Error(`the README has a command this test does not know how to run or skip: ${text}`);
      }
    }
    // the copy made a new version folder, not a folder inside an existing one
    const versions = readdirSync(path.join(workspace, 'rules', 'chamber-baiyikang')).filter((name) => /^\d{4}-/.test(name));
    for (const version of versions) expect(readdirSync(path.join(workspace, 'rules', 'chamber-baiyikang', version)).filter((name) => /^\d{4}-/.test(name))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(workspace, 'rules', 'rules.lock.json'), 'utf8'))).toHaveProperty(['chamber-baiyikang/2028-01-01']);
    expect(ran.length).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('the refusal the README shows for a rate written "10%" is what the lint prints', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const shown = /^rule set refused:\n {2}(\S+) \[rule ([\w-]+)\]: (.*)$/m.exec(readme);
    expect(shown).not.toBeNull();
    const [, file, ruleId, reason] = shown as unknown as [string, string, string, string];
    const target = path.join(workspace, 'rules', file);
    const json = JSON.parse(readFileSync(target, 'utf8'));
    json.event.params.rate = '10%';
    writeFileSync(target, JSON.stringify(json));
    const out: string[] = [];
    expect(await runCli(['rules', 'lint'], { out: (t) => out.push(t), err: (t) => out.push(t), cwd: workspace })).toBe(1);
    expect(out.join('\n')).toContain(`${file} [rule ${ruleId}]: ${reason}`);
  });
});
