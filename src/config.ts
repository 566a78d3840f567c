import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isPostgresUrl } from './ledger/ledger-store';
import { KEY_OPERATIONS, type ApiKeyGrant, type KeyOperation } from './http/api-key-auth';

/** Every setting the service reads from its environment, validated. See docs/operations.md. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly rulesDir: string;
  /**
   * API key → partner id, or → its grant when the key is limited to some agreements or
   * operations; empty when authentication is off.
   */
  readonly apiKeys: ReadonlyMap<string, string | ApiKeyGrant>;
  /** Token bucket per API key; undefined when rate limiting is off. */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number } | undefined;
  /** After SIGTERM: how long /readyz answers 503 while still accepting connections. */
  readonly shutdownDrainMs: number;
  /** After SIGTERM: the bound on the whole shutdown; past it the process exits 1. */
  readonly shutdownTimeoutMs: number;
  /** A request body with no byte arriving for this long is answered 408 REQUEST_TIMEOUT. */
  readonly bodyTimeoutMs: number;
  /** Node's server.requestTimeout, the hard backstop: a whole request must arrive within it. */
  readonly requestTimeoutMs: number;
  /** Node's server.headersTimeout. */
  readonly headersTimeoutMs: number;
  /** Node's server.keepAliveTimeout. */
  readonly keepAliveTimeoutMs: number;
  /** SUANPAN_DATA_DIR (default ./.data): the development signing key and the embedded SQLite ledger (ledger.sqlite). */
  readonly dataDir: string;
  /** SUANPAN_DATABASE_URL: a postgres:// URL puts the ledger in PostgreSQL; undefined keeps it in SQLite under dataDir. */
  readonly databaseUrl: string | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Thrown when the environment is invalid; lists every bad variable, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const API_KEY = /^[A-Za-z0-9._~+/-]{16,256}$/;
const PARTNER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;

/**
 * Reads and validates the configuration from an environment (default `process.env`).
 * Unset variables take the documented defaults; a set but invalid one is an error.
 *
 * @example loadConfig({ PORT: '9000', SUANPAN_API_KEYS: 'k3y-for-partner-a-0001=partner-a' })
 * @throws ConfigError naming every invalid variable
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, readFile: (file: string) => string = (f) => readFileSync(f, 'utf8')): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const logLevel = (env['LOG_LEVEL'] ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const apiKeys = readApiKeys(env, readFile, problems);
  const ratePerSecond = int('SUANPAN_RATE_LIMIT_RPS', 50, 0, 1_000_000);
  const burst = int('SUANPAN_RATE_LIMIT_BURST', Math.max(1, ratePerSecond * 2), 1, 1_000_000);
  const requestTimeoutMs = int('SUANPAN_REQUEST_TIMEOUT_MS', 300_000, 1_000, 3_600_000);
  const headersTimeoutMs = int('SUANPAN_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000);
  const bodyTimeoutMs = int('SUANPAN_BODY_TIMEOUT_MS', 10_000, 100, 600_000);
  if (bodyTimeoutMs >= requestTimeoutMs) problems.push('SUANPAN_BODY_TIMEOUT_MS: must be less than SUANPAN_REQUEST_TIMEOUT_MS');
  if (headersTimeoutMs > requestTimeoutMs) problems.push('SUANPAN_HEADERS_TIMEOUT_MS: must not exceed SUANPAN_REQUEST_TIMEOUT_MS');
  const shutdownDrainMs = int('SUANPAN_SHUTDOWN_DRAIN_MS', 0, 0, 600_000);
  const shutdownTimeoutMs = int('SUANPAN_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000);
  if (shutdownDrainMs >= shutdownTimeoutMs) problems.push('SUANPAN_SHUTDOWN_DRAIN_MS: must be less than SUANPAN_SHUTDOWN_TIMEOUT_MS');

  const databaseUrl = env['SUANPAN_DATABASE_URL'] === '' ? undefined : env['SUANPAN_DATABASE_URL'];
  if (databaseUrl !== undefined && !(isPostgresUrl(databaseUrl) && URL.canParse(databaseUrl))) {
    // never echo the URL: it may hold a password
    problems.push('SUANPAN_DATABASE_URL: must be a postgres://user:password@host:port/database URL (or unset for the embedded SQLite ledger)');
  }
  const dataDir = env['SUANPAN_DATA_DIR'] ?? '.data';
  if (dataDir === '') problems.push('SUANPAN_DATA_DIR: must not be empty (unset it for ./.data)');

  const config: Config = {
    host: env['HOST'] ?? '0.0.0.0',
    port: int('PORT', 8080, 0, 65_535),
    logLevel,
    rulesDir: path.resolve(env['SUANPAN_RULES_DIR'] ?? path.join(__dirname, '..', 'rules')),
    apiKeys,
    rateLimit: apiKeys.size > 0 && ratePerSecond > 0 ? { ratePerSecond, burst } : undefined,
    shutdownDrainMs,
    shutdownTimeoutMs,
    bodyTimeoutMs,
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: int('SUANPAN_KEEP_ALIVE_TIMEOUT_MS', 5_000, 0, 600_000),
    dataDir: path.resolve(dataDir),
    databaseUrl,
  };
  if (config.host === '') problems.push('HOST: must not be empty');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * SUANPAN_API_KEYS="key=partner,key=partner" or SUANPAN_API_KEYS_FILE=path (one key=partner a
 * line, # comments). Keys are 16–256 characters of [A-Za-z0-9._~+/-]; partner ids follow the Id
 * pattern of openapi.yaml. Several keys may map to one partner (rotation); a key appears once.
 * After the partner, blank-separated, a key may be limited: `agreements=a;b` (the agreements it
 * may use) and `operations=read;quote;verify;settle;diff` (what it may call); a key without
 * them may use every agreement and every operation.
 *
 * @example "k3y-for-partner-a-0001=partner-a agreements=acme-supply operations=read;quote"
 */
function readApiKeys(env: NodeJS.ProcessEnv, readFile: (file: string) => string, problems: string[]): Map<string, string | ApiKeyGrant> {
  const inline = env['SUANPAN_API_KEYS'];
  const file = env['SUANPAN_API_KEYS_FILE'];
  const keys = new Map<string, string | ApiKeyGrant>();
  if (inline !== undefined && inline !== '' && file !== undefined && file !== '') {
    problems.push('SUANPAN_API_KEYS and SUANPAN_API_KEYS_FILE: set one, not both');
    return keys;
  }
  let source = 'SUANPAN_API_KEYS';
  let text = inline ?? '';
  if (file !== undefined && file !== '') {
    source = `SUANPAN_API_KEYS_FILE (${file})`;
    try {
      text = readFile(file);
    } catch (error) {
      problems.push(`${source}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
      return keys;
    }
  }
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.replace(/#.*$/, '').trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    // key = partner, then the limits; blanks around the = as before limits existed
    const [, key = entry, partner = '', limits = ''] = /^([^=\s]*)\s*=\s*(\S*)\s*(.*)$/.exec(entry) ?? [];
    // Never echo a key: the message names the entry by position only.
    const at = `${source} entry ${index + 1}`;
    if (!API_KEY.test(key)) problems.push(`${at}: the key must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / -`);
    else if (!PARTNER_ID.test(partner)) problems.push(`${at}: expected key=partnerId with a partner id of up to 64 characters [A-Za-z0-9._:@-]`);
    else if (keys.has(key)) problems.push(`${at}: the same key appears twice`);
    else {
      const grant = readKeyLimits(partner, limits, at, problems);
      if (grant !== undefined) keys.set(key, grant);
    }
  });
  if (entries.length > 0 && keys.size === 0 && problems.length === 0) problems.push(`${source}: no keys`);
  return keys;
}

/** A key's partner with its limits (`agreements=a;b`, `operations=read;quote`); the bare partner id when it has none. */
function readKeyLimits(partnerId: string, text: string, at: string, problems: string[]): string | ApiKeyGrant | undefined {
  if (text === '') return partnerId;
  const grant: { partnerId: string; agreements?: string[]; operations?: KeyOperation[] } = { partnerId };
  for (const limit of text.split(/\s+/)) {
    const [name, list = ''] = limit.split('=', 2);
    const values = list.split(';').filter((value) => value !== '');
    if ((name !== 'agreements' && name !== 'operations') || !limit.includes('=') || grant[name] !== undefined) {
      problems.push(`${at}: expected key=partnerId, then optionally agreements=<id>;<id> and operations=<operation>;<operation>, each once (got ${JSON.stringify(limit)})`);
      return undefined;
    }
    if (values.length === 0) {
      problems.push(`${at}: ${name}= lists none; leave it out to allow all`);
      return undefined;
    }
    if (name === 'agreements') {
      const bad = values.filter((value) => !PARTNER_ID.test(value));
      if (bad.length > 0) problems.push(`${at}: agreements: ${bad.map((value) => JSON.stringify(value)).join(', ')} is not an agreement id`);
      grant.agreements = values;
    } else {
      const bad = values.filter((value) => !(KEY_OPERATIONS as readonly string[]).includes(value));
      if (bad.length > 0) problems.push(`${at}: operations: ${bad.map((value) => JSON.stringify(value)).join(', ')} is not one of ${KEY_OPERATIONS.join(', ')}`);
      grant.operations = values as KeyOperation[];
    }
  }
  return grant;
}
