import { accelerator } from './accelerator';
import { clawback } from './clawback';
import { commission } from './commission';
import { commissionCap } from './commission-cap';
import { fixedAmountOff } from './fixed-amount-off';
import { freeGoods } from './free-goods';
import { percentageDiscount } from './percentage-discount';
import { priceFactor } from './price-factor';
import { priceFloor } from './price-floor';
import { priceGuarantee } from './price-guarantee';
import { rebateAccrual } from './rebate-accrual';
import { rebateSettlement } from './rebate-settlement';
import { refusal } from './refusal';
import { tieredDiscount } from './tiered-discount';
import type { TermAction, TermModule } from './term';

/** Every term type suanpan knows, one module each. A new term type is a module and a line here. */
export const BUILT_IN_TERMS = [
  priceFactor,
  percentageDiscount,
  tieredDiscount,
  fixedAmountOff,
  priceFloor,
  refusal,
  commission,
  commissionCap,
  rebateAccrual,
  freeGoods,
  rebateSettlement,
  priceGuarantee,
  accelerator,
  clawback,
] as const;

type ActionOf<T> = T extends TermModule<infer A> ? A : never;

/** The parsed params of every built-in term type, told apart by `type`. */
export type Action = ActionOf<(typeof BUILT_IN_TERMS)[number]>;
export type ActionType = Action['type'];

/** The term types a rules directory is read with: the built-in ones, or more (a test's fixture term). */
export class TermRegistry {
  private readonly byType: ReadonlyMap<string, TermModule>;

  constructor(readonly modules: readonly TermModule<never>[]) {
    const byType = new Map<string, TermModule>();
    for (const module of modules as readonly TermModule[]) {
      if (byType.has(module.type)) throw new Error(`term type ${module.type} is registered twice`);
      byType.set(module.type, module);
    }
    this.byType = byType;
  }

  /** A registry with this module added (e.g. a fixture term type in a test). */
  with<A extends TermAction>(module: TermModule<A>): TermRegistry {
    return new TermRegistry([...this.modules, module as unknown as TermModule<never>]);
  }

  get(type: string): TermModule | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** The JSON Schema of a rule's `event`: one branch per term type, told apart by `type`. */
  eventSchema(): object {
    return {
      $id: 'https://suanpan.local/schema/event.schema.json',
      type: 'object',
      required: ['type', 'params'],
      properties: { type: { enum: this.types() } },
      discriminator: { propertyName: 'type' },
      oneOf: (this.modules as readonly TermModule[]).map((module) => ({
        type: 'object',
        additionalProperties: false,
        required: ['type', 'params'],
        properties: { type: { const: module.type }, params: module.paramsSchema },
      })),
    };
  }
}

/** The registry of the built-in term types. */
export const TERMS = new TermRegistry(BUILT_IN_TERMS as unknown as readonly TermModule<never>[]);

