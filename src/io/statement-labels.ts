import type { Label } from '../domain/agreement';

/**
 * What a person reads in place of the statement's API names (中文 first, English beside it):
 * the headings of the fixed sections, their columns and the heading's rows. A declared figure
 * is labelled by agreement.json (`statement.figures[].label`), a channel by its `label`.
 */
export const STATEMENT_LABELS = {
  // sections
  statement: { zh: '结算单', en: 'Settlement statement' },
  figures: { zh: '汇总', en: 'Figures' },
  charts: { zh: '图表', en: 'Charts' },
  programmes: { zh: '周期返利', en: 'Programme rebates' },
  clawbacks: { zh: '佣金追回', en: 'Clawbacks' },
  rebates: { zh: '返点', en: 'Rebates' },
  priceGuarantee: { zh: '最低折扣保证', en: 'Price-guarantee breaches' },
  discrepancies: { zh: '发票差异', en: 'Invoice discrepancies' },
  reconciliation: { zh: '对账', en: 'Reconciliation with the claimed figures' },
  counts: { zh: '输入计数', en: 'Input counted' },
  groups: { zh: '分组', en: 'By group' },
  signOff: { zh: '签字确认', en: 'Sign-off' },
  // the heading's rows
  field: { zh: '项目', en: 'Item' },
  value: { zh: '内容', en: 'Value' },
  agreement: { zh: '协议', en: 'Agreement' },
  period: { zh: '结算期间', en: 'Period' },
  periodFrom: { zh: '期间起', en: 'Period from' },
  periodTo: { zh: '期间止', en: 'Period to' },
  currency: { zh: '币种', en: 'Currency' },
  rulesetVersion: { zh: '规则版本', en: 'Ruleset version' },
  effectiveFrom: { zh: '版本生效日', en: 'Version in force from' },
  parties: { zh: '协议方', en: 'Parties' },
  // columns
  figure: { zh: '项目', en: 'Figure' },
  amount: { zh: '金额', en: 'Amount' },
  label: { zh: '说明', en: 'Description' },
  ruleId: { zh: '规则', en: 'Rule' },
  volumeToDate: { zh: '累计业务额', en: 'Volume to date' },
  tierFrom: { zh: '档位起点', en: 'Tier from' },
  tierTo: { zh: '档位终点', en: 'Tier to' },
  rate: { zh: '比例', en: 'Rate' },
  closes: { zh: '本期结清', en: 'Paid this period' },
  rebate: { zh: '返利', en: 'Rebate' },
  transaction: { zh: '交易号', en: 'Transaction' },
  returnOf: { zh: '原交易', en: 'Return of' },
  group: { zh: '分组', en: 'Group' },
  sku: { zh: '商品编码', en: 'SKU' },
  quantity: { zh: '数量', en: 'Quantity' },
  daysAfterSale: { zh: '售后天数', en: 'Days after the sale' },
  clawback: { zh: '追回佣金', en: 'Clawback' },
  buyer: { zh: '买方', en: 'Buyer' },
  volume: { zh: '业务额', en: 'Volume' },
  accrued: { zh: '已计提', en: 'Accrued' },
  final: { zh: '应返', en: 'Final' },
  trueUp: { zh: '补差', en: 'True-up' },
  lowestFactor: { zh: '最低折扣', en: 'Lowest factor' },
  lowestUnitPrice: { zh: '最低单价', en: 'Lowest unit price' },
  institution: { zh: '机构', en: 'Institution' },
  breach: { zh: '违约', en: 'Breach' },
  compensation: { zh: '差价赔偿', en: 'Compensation' },
  invoicedUnitPrice: { zh: '开票单价', en: 'Invoiced unit price' },
  agreedUnitPrice: { zh: '协议单价', en: 'Agreed unit price' },
  invoicedAmount: { zh: '开票金额', en: 'Invoiced amount' },
  agreedAmount: { zh: '协议金额', en: 'Agreed amount' },
  difference: { zh: '差额', en: 'Difference' },
  claimed: { zh: '对方申报', en: 'Claimed' },
  computed: { zh: '本系统计算', en: 'Computed' },
  transactions: { zh: '交易', en: 'Transactions' },
  returns: { zh: '退货', en: 'Returns' },
  lines: { zh: '明细行', en: 'Lines' },
  externalSales: { zh: '外部销售', en: 'External sales' },
  // built-in totals
  commission: { zh: '佣金合计', en: 'Commission, all payees' },
  giftsValue: { zh: '赠品价值', en: 'Gifts at list value' },
  // words
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
  none: { zh: '无', en: 'None' },
  preparedBy: { zh: '编制', en: 'Prepared by' },
  checkedBy: { zh: '复核', en: 'Checked by' },
  approvedBy: { zh: '批准', en: 'Approved' },
  signature: { zh: '签字', en: 'Signature' },
  date: { zh: '日期', en: 'Date' },
  volumeByChannel: { zh: '各渠道业务额', en: 'Volume by channel' },
  tierPosition: { zh: '返点档位进度', en: 'Position on the rebate tiers' },
  nextThreshold: { zh: '下一档', en: 'Next threshold' },
  toGo: { zh: '尚差', en: 'to go' },
  topTier: { zh: '已达最高档', en: 'Top tier reached' },
  breachesChart: { zh: '违约赔偿（按商品）', en: 'Compensation per SKU' },
  discrepancyCount: { zh: '差异行数', en: 'Discrepant lines' },
} as const satisfies Record<string, Label>;

export type StatementLabelKey = keyof typeof STATEMENT_LABELS;

/** A label as one line: 中文 English (one of them when both read the same). */
export function bilingual(label: Label): string {
  return label.zh === label.en ? label.zh : `${label.zh} ${label.en}`;
}
