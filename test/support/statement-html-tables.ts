/** Reading a statement's HTML back, as a person would read it: the cells of a section's table, unescaped. */

const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);
}

/** The rows of the table in `<section id="…">`: each a list of cell texts (tags removed, entities unescaped); the header row first. */
export function htmlTable(html: string, sectionId: string): string[][] {
  const start = html.indexOf(`<section id="${sectionId}"`);
  if (start < 0) throw new Error(`no section ${sectionId}`);
  const section = html.slice(start, html.indexOf('</section>', start));
  return [...section.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => unescapeHtml(cell[1]!.replace(/<[^>]+>/g, ' ').replace(/ +/g, ' ').trim())));
}

/** A money cell ("-¥1,428.86") back to the statement's decimal string ("-1428.86"); throws on anything else. */
export function moneyOf(cell: string): string {
  const match = /^(-?)¥([0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?)$/.exec(cell);
  if (match === null) throw new Error(`not an amount: ${JSON.stringify(cell)}`);
  return `${match[1]}${match[2]!.replace(/,/g, '')}`;
}
