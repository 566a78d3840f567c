import type { Label } from '../domain/agreement';
import { Dec } from '../domain/money';
import type { PriceGuaranteeLine, RebateLine } from '../domain/settlement';
import { STATEMENT_LABELS as L, bilingual } from './statement-labels';
import { formatMoney, formatPercent, type StatementPresentation, type TierText } from './statement-presentation';

/**
 * The statement's pictures as inline SVG written on the server: no script, no external
 * resource, colours as presentation attributes (a strict CSP allows them). Each chart is an
 * image with a text alternative, and prints in grey as well as in colour. Lengths are pixels
 * computed from the decimal figures (drawing only: every figure printed is the exact string).
 */

const WIDTH = 640;
const LABEL_WIDTH = 220;
const BAR_HEIGHT = 22;
const GAP = 8;
const BAR_COLOUR = '#3b6ea5';
const FLAG_COLOUR = '#b3261e';

/** Bars of the volume of each channel, longest to scale, each with its label and amount. */
export function volumeByChannelChart(volume: Readonly<Record<string, string>>, currency: string, presentation: StatementPresentation): string {
  const bars = Object.entries(volume).map(([channel, amount]) => ({ label: channelName(channel, presentation), amount }));
  return barChart(L.volumeByChannel, bars, currency, presentation.scale, BAR_COLOUR);
}

/** Bars of the compensation each breached SKU brings (the lowest price another institution paid). */
export function breachesChart(lines: readonly PriceGuaranteeLine[], currency: string, presentation: StatementPresentation): string {
  return barChart(L.breachesChart, lines.map((line) => ({ label: `${line.sku} · ${line.institution}`, amount: line.compensation })), currency, presentation.scale, FLAG_COLOUR);
}

/**
 * A buyer's volume on the rebate tiers of its rule: the tiers as bands along the volume axis
 * (the top tier drawn open), a marker at the buyer's volume, and the next threshold with what
 * is left to reach it (or that the top tier is reached). Undefined when the rule's tiers are not known.
 */
export function tierPositionChart(line: RebateLine, currency: string, presentation: StatementPresentation): string | undefined {
  const tiers = presentation.rebateTiers[line.ruleId];
  if (tiers === undefined || tiers.length === 0) return undefined;
  const volume = new Dec(line.volume);
  const next = tiers.find((tier) => new Dec(tier.from).gt(volume));
  const lastFrom = new Dec(tiers[tiers.length - 1]!.from);
  // the axis reaches past the top threshold and past the volume
  const axisEnd = Dec.max(lastFrom.times(1.25), volume.times(1.05), new Dec(1));
  const x = (value: Dec): number => LABEL_WIDTH + Dec.min(value, axisEnd).div(axisEnd).times(WIDTH - LABEL_WIDTH - 10).toNumber();
  const money = (value: string): string => formatMoney(value, currency, presentation.scale);
  const title = `${L.tierPosition.zh} ${line.buyer} ${L.tierPosition.en}`;
  const nextText = next === undefined ? bilingual(L.topTier) : `${L.nextThreshold.zh} ${L.nextThreshold.en}: ${money(next.from)} → ${formatPercent(next.rate)}; ${L.toGo.zh} ${L.toGo.en} ${money(new Dec(next.from).minus(volume).toFixed())}`;
  const description = `${line.buyer}: ${money(line.volume)}, ${formatPercent(line.rate)}. ${nextText}`;
  const bands = tiers.map((tier, index) => tierBand(tier, index, x, axisEnd));
  const marker = x(volume);
  return svg(title, description, 96, [
    `<text x="0" y="30" font-size="13">${escapeXml(line.buyer)}</text>`,
    ...bands,
    `<line x1="${marker.toFixed(1)}" y1="12" x2="${marker.toFixed(1)}" y2="52" stroke="${FLAG_COLOUR}" stroke-width="3"/>`,
    `<text x="${Math.min(marker, WIDTH - 150).toFixed(1)}" y="66" font-size="11">${escapeXml(money(line.volume))}</text>`,
    `<text x="0" y="88" font-size="12">${escapeXml(nextText)}</text>`,
  ]);
}

function tierBand(tier: TierText, index: number, x: (value: Dec) => number, axisEnd: Dec): string {
  const from = x(new Dec(tier.from));
  const to = x(tier.to === undefined ? axisEnd : new Dec(tier.to));
  const shade = ['#dfe9f5', '#b8cfe9', '#8fb2d9', '#6c97c9'][index % 4];
  return [
    `<rect x="${from.toFixed(1)}" y="16" width="${Math.max(0, to - from).toFixed(1)}" height="32" fill="${shade}" stroke="#ffffff"/>`,
    `<text x="${(from + 4).toFixed(1)}" y="36" font-size="11">${escapeXml(formatPercent(tier.rate))}</text>`,
  ].join('');
}

function barChart(title: Label, bars: readonly { label: string; amount: string }[], currency: string, scale: number, colour: string): string {
  const largest = bars.reduce((max, bar) => Dec.max(max, new Dec(bar.amount).abs()), new Dec(0));
  const room = WIDTH - LABEL_WIDTH - 130;
  const rows = bars.map((bar, index) => {
    const y = 28 + index * (BAR_HEIGHT + GAP);
    const length = largest.isZero() ? 0 : new Dec(bar.amount).abs().div(largest).times(room).toNumber();
    const amount = formatMoney(bar.amount, currency, scale);
    return [
      `<text x="0" y="${y + 15}" font-size="12">${escapeXml(truncate(bar.label, 30))}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${length.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}"/>`,
      `<text x="${(LABEL_WIDTH + length + 6).toFixed(1)}" y="${y + 15}" font-size="12">${escapeXml(amount)}</text>`,
    ].join('');
  });
  const description = bars.map((bar) => `${bar.label}: ${formatMoney(bar.amount, currency, scale)}`).join('; ');
  return svg(bilingual(title), description, 28 + bars.length * (BAR_HEIGHT + GAP) + 4, [`<text x="0" y="16" font-size="13" font-weight="bold">${escapeXml(bilingual(title))}</text>`, ...rows]);
}

function svg(title: string, description: string, height: number, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    ...body,
    '</svg>',
  ].join('');
}

function channelName(channel: string, presentation: StatementPresentation): string {
  const label = presentation.channels[channel];
  return label === undefined ? channel : label.zh;
}

function truncate(text: string, length: number): string {
  const chars = [...text];
  return chars.length <= length ? text : `${chars.slice(0, length - 1).join('')}…`;
}

/** Text for HTML or SVG: & < > " ' escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
