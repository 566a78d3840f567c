import type { RuleCatalog, RuleSet } from './rule-catalog';

/** The agreements being served with their versions (GET /v1/agreements). */
export function listAgreements(catalog: RuleCatalog): unknown {
  return {
    agreements: catalog.agreementIds().map((id) => {
      const versions = catalog.versions(id);
      const latest = versions[versions.length - 1]!;
      return {
        agreement: id,
        title: latest.agreementJson.title,
        currency: latest.agreementJson.currency,
        versions: versions.map((v) => ({ effectiveFrom: v.version.effectiveFrom, rulesetVersion: v.version.rulesetVersion })),
      };
    }),
  };
}

/** One version's terms, catalog and rules as authored, with the pricing step of each rule. */
export function describeAgreement(ruleSet: RuleSet): unknown {
  const json = ruleSet.agreementJson;
  return {
    agreement: json.agreement,
    effectiveFrom: json.effectiveFrom,
    rulesetVersion: ruleSet.version.rulesetVersion,
    title: json.title,
    ...(json.source === undefined ? {} : { source: json.source }),
    parties: json.parties,
    timeZone: ruleSet.version.timeZone,
    currency: json.currency,
    rounding: json.rounding,
    channels: json.channels,
    catalog: json.catalog,
    ...(json.attributes === undefined ? {} : { attributes: json.attributes }),
    ...(json.coupons === undefined ? {} : { coupons: json.coupons }),
    pricingSteps: ruleSet.version.pricingSteps,
    rules: ruleSet.version.rules.map((rule) => {
      const authored = ruleSet.rules.find((r) => r.id === rule.id)!;
      return { ...authored, stage: rule.term.stage, step: rule.step ?? rule.term.stage };
    }),
  };
}
