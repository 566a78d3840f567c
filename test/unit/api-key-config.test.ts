import { ConfigError, loadConfig } from '../../src/config';

const noFiles = (file: string): string => {
  throw new Error(`ENOENT: ${file}`);
};

function problemsOf(env: NodeJS.ProcessEnv, readFile = noFiles): readonly string[] {
  try {
    loadConfig(env, readFile);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('API keys limited to agreements and operations (SUANPAN_API_KEYS, SUANPAN_API_KEYS_FILE)', () => {
  it('reads a key file whose keys have limits, and keys without them as before', () => {
    const config = loadConfig({ SUANPAN_API_KEYS_FILE: '/run/secrets/keys' }, () =>
      [
        '# partner A: quotes for the chamber agreement only',
        'key-for-partner-a-01=partner-a agreements=chamber-baiyikang operations=quote;verify',
        'key-for-partner-b-01 = partner-b   operations=read # read the terms only',
        'key-for-partner-c-01=partner-c agreements=chamber-baiyikang;huaxin-xingyun',
        'key-for-finance-0001=finance',
      ].join('\n'),
    );
    expect([...config.apiKeys]).toEqual([
      ['key-for-partner-a-01', { partnerId: 'partner-a', agreements: ['chamber-baiyikang'], operations: ['quote', 'verify'] }],
      ['key-for-partner-b-01', { partnerId: 'partner-b', operations: ['read'] }],
      ['key-for-partner-c-01', { partnerId: 'partner-c', agreements: ['chamber-baiyikang', 'huaxin-xingyun'] }],
      ['key-for-finance-0001', 'finance'],
    ]);
  });

  it('reads limits inline too (entries separated by commas, lists by semicolons)', () => {
    const config = loadConfig({ SUANPAN_API_KEYS: 'key-for-partner-a-01=partner-a operations=settle,key-for-partner-b-01=partner-b' }, noFiles);
    expect(config.apiKeys.get('key-for-partner-a-01')).toEqual({ partnerId: 'partner-a', operations: ['settle'] });
    expect(config.apiKeys.get('key-for-partner-b-01')).toBe('partner-b');
  });

  it.each([
    ['key-for-partner-a-01=partner-a operations=quote;write', /entry 1: operations: "write" is not one of read, quote, verify, settle, diff/],
    ['key-for-partner-a-01=partner-a agreements=', /entry 1: agreements= lists none; leave it out to allow all/],
    ['key-for-partner-a-01=partner-a agreements=bad/id', /entry 1: agreements: "bad\/id" is not an agreement id/],
    ['key-for-partner-a-01=partner-a scopes=all', /entry 1: expected key=partnerId, then optionally agreements=/],
    ['key-for-partner-a-01=partner-a operations=read operations=quote', /entry 1: expected key=partnerId, then optionally/],
  ])('refuses %p, naming the entry and never the key', (keys, message) => {
    const problems = problemsOf({ SUANPAN_API_KEYS: keys });
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(problems.join('\n')).not.toContain('key-for-partner-a-01');
  });
});
