import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvCell } from '../../src/io/statement-csv';

const text = (value: string) => csvCell({ kind: 'text', value });
const num = (value: string) => csvCell({ kind: 'number', value });

describe('csvCell: nothing a spreadsheet would run as a formula (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x","a")', `"'=HYPERLINK(""http://x"",""a"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['\tplain', `"'\tplain"`],
    [' =1+1', "' =1+1"],
    ['\u00a0=1+1', "'\u00a0=1+1"],
    ['\u200b=1+1', "'\u200b=1+1"],
    ['\ufeff@x', "'\ufeff@x"],
    ['\u2060\u200d-1', "'\u2060\u200d-1"],
    ['\u3000=1', "'\u3000=1"],
    ['＝1+1', "'＝1+1"],
    ['某医院', '某医院'],
    ['a=b', 'a=b'],
    ['ENT-001', 'ENT-001'],
  ])('text %j → %s', (value, expected) => {
    expect(text(value)).toBe(expected);
  });

  it.each([
    ['a;b', '"a;b"'],
    ['=1;2', `"'=1;2"`],
    ['a,b', '"a,b"'],
    ['a\nb', '"a\nb"'],
  ])('a cell holding a list separator of any locale or a line break is quoted: %j → %s', (value, expected) => {
    expect(text(value)).toBe(expected);
  });

  it.each([['-1428.86'], ['-10'], ['0.00'], ['33.915'], ['12']])('a number cell %s stays a number', (value) => {
    expect(num(value)).toBe(value);
  });

  it.each([
    ['-1+1', "'-1+1"],
    [' -1', "' -1"],
    ['=1', "'=1"],
  ])('a number cell that is not a plain decimal is text, defused: %j → %s', (value, expected) => {
    expect(num(value)).toBe(expected);
  });

  it('any text reads back from the CSV as itself, apostrophe aside, and never starts a formula', () => {
    const invisible = fc.constantFrom(' ', '\t', '\u00a0', '\u200b', '\ufeff', '\u2060', '\u3000', '\u00ad', '\u202e');
    const cell = fc.tuple(fc.array(invisible, { maxLength: 3 }), fc.constantFrom('', '=', '+', '-', '@', '＝', 'a', '1', ';', ','), fc.string()).map(([lead, first, rest]) => lead.join('') + first + rest);
    fc.assert(
      fc.property(cell, (value) => {
        // a second cell, so an empty first one still makes a row
        const [[read, sentinel]] = parse(`${text(value)},end`, { relax_quotes: false }) as string[][];
        expect(sentinel).toBe('end');
        expect(read === value || read === `'${value}`).toBe(true);
        expect(read).not.toMatch(/^[\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*[=+\-@＝＋－＠]/);
        expect(read!.startsWith('\t') || read!.startsWith('\r')).toBe(false);
      }),
    );
  });
});
