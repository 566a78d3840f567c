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

describe('loadConfig', () => {
  it('has documented defaults for an empty environment: auth and rate limit off', () => {
    const config = loadConfig({}, noFiles);
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8080, logLevel: 'info', shutdownDrainMs: 0, shutdownTimeoutMs: 10_000, bodyTimeoutMs: 10_000, requestTimeoutMs: 300_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, rateLimit: undefined });
    expect(config.apiKeys.size).toBe(0);
    expect(config.rulesDir).toMatch(/rules$/);
  });

  it('reads API keys inline and turns the rate limit on with them', () => {
    const config = loadConfig({ SUANPAN_API_KEYS: ' key-for-partner-a-01=partner-a, key-for-partner-b-01 = partner-b ', SUANPAN_RATE_LIMIT_RPS: '20' }, noFiles);
    expect([...config.apiKeys]).toEqual([
      ['key-for-partner-a-01', 'partner-a'],
      ['key-for-partner-b-01', 'partner-b'],
    ]);
    expect(config.rateLimit).toEqual({ ratePerSecond: 20, burst: 40 });
  });

  it('reads API keys from a file, one a line, with comments', () => {
    const config = loadConfig({ SUANPAN_API_KEYS_FILE: '/run/secrets/keys' }, (file) => {
      expect(file).toBe('/run/secrets/keys');
      return '# partner A rotates keys\nkey-for-partner-a-01=partner-a\nkey-for-partner-a-02=partner-a # new\n\n';
    });
    expect(config.apiKeys.get('key-for-partner-a-02')).toBe('partner-a');
    expect(config.rateLimit).toEqual({ ratePerSecond: 50, burst: 100 });
  });

  it('turns the rate limit off with SUANPAN_RATE_LIMIT_RPS=0', () => {
    expect(loadConfig({ SUANPAN_API_KEYS: 'key-for-partner-a-01=partner-a', SUANPAN_RATE_LIMIT_RPS: '0' }, noFiles).rateLimit).toBeUndefined();
  });

  it.each([
    [{ PORT: '80x' }, /^PORT="80x": must be an integer from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL="verbose": must be one of fatal, error/],
    [{ SUANPAN_API_KEYS: 'short=partner-a' }, /entry 1: the key must be 16 to 256 characters/],
    [{ SUANPAN_API_KEYS: 'key-for-partner-a-01' }, /entry 1: expected key=partnerId/],
    [{ SUANPAN_API_KEYS: 'key-for-partner-a-01=bad partner' }, /entry 1: expected key=partnerId/],
    [{ SUANPAN_API_KEYS: 'key-for-partner-a-01=a,key-for-partner-a-01=b' }, /entry 2: the same key appears twice/],
    [{ SUANPAN_API_KEYS: 'key-for-partner-a-01=a', SUANPAN_API_KEYS_FILE: '/k' }, /set one, not both/],
    [{ SUANPAN_API_KEYS_FILE: '/missing' }, /cannot read: ENOENT/],
    [{ SUANPAN_RATE_LIMIT_BURST: '0' }, /^SUANPAN_RATE_LIMIT_BURST/],
    [{ SUANPAN_SHUTDOWN_DRAIN_MS: '5000', SUANPAN_SHUTDOWN_TIMEOUT_MS: '5000' }, /DRAIN_MS: must be less than/],
    [{ SUANPAN_HEADERS_TIMEOUT_MS: '60000', SUANPAN_REQUEST_TIMEOUT_MS: '30000', SUANPAN_BODY_TIMEOUT_MS: '5000' }, /must not exceed SUANPAN_REQUEST_TIMEOUT_MS/],
    [{ SUANPAN_REQUEST_TIMEOUT_MS: '-1' }, /^SUANPAN_REQUEST_TIMEOUT_MS/],
    [{ SUANPAN_BODY_TIMEOUT_MS: '30000', SUANPAN_REQUEST_TIMEOUT_MS: '30000' }, /BODY_TIMEOUT_MS: must be less than SUANPAN_REQUEST_TIMEOUT_MS/],
    [{ HOST: '' }, /^HOST: must not be empty/],
  ])('refuses %p', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('names every bad variable at once and never echoes a key', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', SUANPAN_API_KEYS: 'secret-key-value-123456=not a partner' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('secret-key-value');
  });
});
