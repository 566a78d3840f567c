import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RulesHolder } from '../rules/rules-holder';

/** What gets priced, for the `*_priced_total` counters. */
export type PricedKind = 'quote' | 'settlement-line';

/** The service's Prometheus metrics on one registry (tests inject their own). */
export interface Metrics {
  readonly registry: Registry;
  /** Times every request: duration by method, route template, status and partner; requests in flight. */
  readonly observeRequests: RequestHandler;
  /** GET /metrics in the Prometheus text format. */
  readonly serve: RequestHandler;
  /**
   * Times one request from now until its response finishes (or its connection closes first:
   * status `aborted`); the labels are read then. observeRequests does it for Express, the
   * quote lane for its requests.
   */
  timeRequest(res: ServerResponse, labels: () => { readonly method: string; readonly route: string; readonly partner: string }): void;
  /** Counts quotes or settlement lines priced for the caller of `req`. */
  recordPriced(req: Caller, kind: PricedKind, count: number): void;
  /** Counts a rules (re)load; the composition root subscribes it to RulesHolder.onLoad. */
  recordRulesLoad(outcome: 'success' | 'failure'): void;
  /** Counts an internal error answered 500: a failed settlement spill, or an unhandled error. */
  recordServerFault(kind: ServerFaultKind): void;
}

/** What kind of server fault an answer 500 was. */
export type ServerFaultKind = 'spill' | 'unhandled';

export interface MetricsOptions {
  readonly registry?: Registry;
  readonly rules: RulesHolder;
  /** Maps a request to its route template (see routeTemplates). */
  readonly routeOf: (req: Request) => string;
  /** Also collect Node's process metrics (heap, event loop lag, ...); the server turns it on. */
  readonly processMetrics?: boolean;
}

/** What the partner label is read from: a request, once authenticated. */
export interface Caller {
  readonly caller?: { readonly partnerId: string };
}

/** The partner label: the authenticated partner, or `anonymous` when authentication is off. */
export function partnerOf(req: Caller): string {
  return req.caller?.partnerId ?? 'anonymous';
}

/**
 * Creates the metrics: `suanpan_http_request_duration_seconds` (histogram), `suanpan_http_requests_in_flight`,
 * `suanpan_quotes_priced_total`, `suanpan_settlement_lines_priced_total`, `suanpan_server_faults_total{kind}`, `suanpan_ruleset_info`
 * (one series per agreement version loaded), `suanpan_rules_reloads_total{outcome}` and
 * `suanpan_rules_last_reload_success_timestamp_seconds`. Subscribing `recordRulesLoad` to the
 * holder's load events counts every way of reloading.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'suanpan_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template, status and partner',
    labelNames: ['method', 'route', 'status', 'partner'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'suanpan_http_requests_in_flight', help: 'HTTP requests being served', registers: [registry] });
  const priced = {
    quote: new Counter({ name: 'suanpan_quotes_priced_total', help: 'Quotes priced (a batch counts each quote priced)', labelNames: ['partner'] as const, registers: [registry] }),
    'settlement-line': new Counter({ name: 'suanpan_settlement_lines_priced_total', help: 'Settlement lines priced', labelNames: ['partner'] as const, registers: [registry] }),
  } satisfies Record<PricedKind, Counter<'partner'>>;
  const reloads = new Counter({ name: 'suanpan_rules_reloads_total', help: 'Rule loads (the first one included) by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const faults = new Counter({ name: 'suanpan_server_faults_total', help: 'Internal errors answered 500, by kind (spill: a settlement spill file could not be written)', labelNames: ['kind'] as const, registers: [registry] });
  for (const kind of ['spill', 'unhandled'] as const) faults.inc({ kind }, 0); // a series from the start, for alerts on its rate
  const lastSuccess = new Gauge({ name: 'suanpan_rules_last_reload_success_timestamp_seconds', help: 'When the rules last loaded successfully', registers: [registry] });
  const rules = options.rules;
  new Gauge({
    name: 'suanpan_ruleset_info',
    help: 'The rule set versions being served (value 1), by agreement, effective date and content hash',
    labelNames: ['agreement', 'effective_from', 'ruleset_version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const catalog = rules.current();
      if (catalog === undefined) return;
      for (const agreement of catalog.agreementIds()) {
        for (const { version } of catalog.versions(agreement)) {
          this.set({ agreement, effective_from: version.effectiveFrom, ruleset_version: version.rulesetVersion }, 1);
        }
      }
    },
  });

  const timeRequest: Metrics['timeRequest'] = (res, labels) => {
    const started = process.hrtime.bigint();
    inFlight.inc();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight.dec();
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      const { method, route, partner } = labels();
      duration.observe({ method, route, status, partner }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', finish);
    res.once('close', finish);
  };

  return {
    registry,
    observeRequests(req, res, next) {
      timeRequest(res, () => ({ method: req.method, route: options.routeOf(req), partner: partnerOf(req) }));
      next();
    },
    timeRequest,
    serve(_req, res, next) {
      registry.metrics().then((text) => {
        res.set('Content-Type', registry.contentType).send(text);
      }, next);
    },
    recordPriced(req, kind, count) {
      if (count > 0) priced[kind].inc({ partner: partnerOf(req) }, count);
    },
    recordServerFault(kind) {
      faults.inc({ kind });
    },
    recordRulesLoad(outcome) {
      reloads.inc({ outcome });
      if (outcome === 'success') lastSuccess.setToCurrentTime();
    },
  };
}
