import { createApp, type AppDeps } from '../../src/app';
import { RulesHolder } from '../../src/rules/rules-holder';
import type { KeyRing } from '../../src/trust/signing-keys';
import { contract, recordingLogger, RULES_DIR } from './test-app';

export { RULES_DIR };

/** A settable clock for issuedAt/expiresAt and expiry checks. */
export function fixedClock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let time = new Date(iso);
  return { now: () => time, set: (next) => (time = new Date(next)) };
}

/** createApp over a rules directory (the bundled one by default), loaded and ready. */
export function trustApp(options: { keys?: KeyRing; now?: () => Date; rulesDir?: string; adminToken?: string; logger?: AppDeps['logger'] } = {}): { app: ReturnType<typeof createApp>; rules: RulesHolder } {
  const rules = new RulesHolder(options.rulesDir ?? RULES_DIR);
  const loaded = rules.load();
  if (!loaded.ok) throw new Error(`rules refused: ${JSON.stringify(loaded.problems)}`);
  const app = createApp({
    rules,
    logger: options.logger ?? recordingLogger(),
    contract,
    today: () => '2026-11-20',
    ...(options.keys === undefined ? {} : { signing: { keys: options.keys } }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
  });
  return { app, rules };
}

/** Asserts a body against a component schema of openapi.yaml (so the contract cannot drift). */
export function expectSchema(schema: string, body: unknown): void {
  expect(contract.validate(schema, body)).toEqual([]);
}

export const MEMBER_DIRECT_2026 = {
  agreement: 'chamber-baiyikang',
  channel: 'member-direct',
  date: '2026-11-12',
  buyer: { id: 'M-007', member: true },
  lines: [{ sku: 'BYK-M01', quantity: 3 }],
};
