import type { RequestHandler } from 'express';
import type { RuleCatalog } from '../rules/rule-catalog';
import type { RulesHolder } from '../rules/rules-holder';
import type { QuoteSigning } from '../trust/quote-signature';
import type { ApiContract } from './api-contract';
import type { Logger } from './error-handler';
import type { Metrics } from './metrics';

/** What every route may use: built once by createApp from its dependencies. */
export interface AppContext {
  readonly contract: ApiContract;
  readonly rules: RulesHolder;
  readonly logger: Logger;
  /** Counts what the routes price (`recordPriced`); request timing is done by middleware. */
  readonly metrics: Metrics;
  /** Today's date (yyyy-mm-dd) in the agreement's time zone: the default quote date. */
  today(agreement?: string): string;
  /** The clock quotes are issued and checked for expiry with. */
  now(): Date;
  /** How quotes are signed (its clock is `now`). */
  readonly signing: QuoteSigning;
  /** The bearer token of /admin endpoints; undefined disables them. */
  readonly adminToken?: string;
  /** The catalog being served; throws RULES_NOT_LOADED (503) before the first load. */
  catalog(): RuleCatalog;
  /** Refuses a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE. */
  readonly requireJson: RequestHandler;
}
