import path from 'node:path';
import { createApp, type App, type AppDeps } from '../../src/app';
import { loadApiContract, type ApiContract } from '../../src/http/api-contract';
import type { Logger } from '../../src/http/error-handler';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { RulesHolder } from '../../src/rules/rules-holder';
import { LedgerService } from '../../src/ledger/ledger-service';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import { openLedgerStore } from '../../src/ledger/open-ledger-store';
import type { LedgerStore } from '../../src/ledger/ledger-store';
import type { KeyRing } from '../../src/trust/signing-keys';

export const RULES_DIR = path.resolve(__dirname, '../../rules');
export const contract: ApiContract = loadApiContract(undefined, { validateSchemas: true });

/** A logger that records what was logged, so tests can assert on it and stay quiet. */
export function recordingLogger(): Logger & { entries: { level: string; obj: object; msg?: string }[] } {
  const entries: { level: string; obj: object; msg?: string }[] = [];
  const log = (level: string) => (obj: object, msg?: string) => {
    entries.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  };
  return { entries, info: log('info'), warn: log('warn'), error: log('error') };
}

/** The app over the bundled rules, with a fixed "today" so default dates are reproducible, and a ledger of its own in memory. */
export function testApp(overrides: Partial<AppDeps> = {}): App {
  const rules = new RulesHolder(RULES_DIR);
  rules.load();
  return createApp({ rules, logger: recordingLogger(), contract, today: () => '2026-11-26', ledger: memoryLedger(rules, overrides.signing?.keys), ...overrides });
}

/** A ledger in an in-memory SQLite database (migrated before any request can reach it). */
export function memoryLedger(rules: RulesHolder, keys?: KeyRing, now: () => Date = () => new Date()): LedgerService {
  const store = new SqliteLedgerStore(':memory:');
  void store.migrate();
  return ledgerOver(store, rules, keys, now);
}

/** A ledger in `<dataDir>/ledger.sqlite`, opened and migrated as the server opens it; close its store when done. */
export async function dataDirLedger(rules: RulesHolder, dataDir: string, keys?: KeyRing): Promise<{ ledger: LedgerService; store: LedgerStore }> {
  const store = await openLedgerStore({ dataDir });
  return { ledger: ledgerOver(store, rules, keys), store };
}

function ledgerOver(store: LedgerStore, rules: RulesHolder, keys?: KeyRing, now: () => Date = () => new Date()): LedgerService {
  const ring = keys ?? ephemeralKeyRing();
  return new LedgerService({ store, catalog: () => rules.current()!, keys: () => ring, now });
}

/** Asserts a body matches a component schema of openapi.yaml; returns the issues for a readable failure. */
export function contractIssues(schemaName: string, body: unknown): unknown[] {
  return contract.validate(schemaName, body);
}

/** The request of worked example 2 of docs/agreements/chamber-baiyikang.md. */
export function exampleTwoRequest(): Record<string, unknown> {
  return {
    agreement: 'chamber-baiyikang',
    channel: 'group-buy',
    date: '2026-12-01',
    buyer: { id: 'ENT-001', member: true, keyAccount: true },
    lines: [
      { sku: 'BYK-H01', quantity: 40 },
      { sku: 'BYK-L01', quantity: 80 },
    ],
  };
}
