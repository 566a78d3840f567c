/** A record of a CSV text, or why the row at `line` could not be read. */
export type CsvItem = { readonly record: string[]; readonly line: number } | { readonly error: string; readonly line: number };

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** The blanks a field is trimmed of: JavaScript's white space (\s) but line breaks (a BOM or no-break space pasted before a cell included). */
function isBlank(code: number): boolean {
  if (code === SPACE || code === TAB) return true;
  if (code < 0xa0) return code === 11 || code === 12;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** Where a record ends: the index after its terminator and the lines it spans, or where reading resumes after an unreadable one. */
type Scan = { readonly fields: string[]; readonly next: number; readonly lines: number } | { readonly error: string; readonly next: number; readonly lines: number } | undefined;

/**
 * Reads CSV (RFC 4180) as it streams in, chunk by chunk: fields separated by commas, records
 * by LF, CRLF or CR; a field in double quotes may hold commas, line breaks and doubled
 * quotes; blanks (spaces, tabs, any white space but line breaks, a BOM) around a field are dropped; empty lines are skipped; a BOM
 * at the start is ignored. Records are numbered by the line they end on, as a spreadsheet
 * numbers rows. An unreadable row (a quote inside an unquoted field, text after a closing
 * quote, a quote never closed, a row longer than `maxRecordChars`) is reported with its line
 * and skipped, and reading goes on with the next line.
 *
 * It exists because the settlement reads a month of ERP export line by line, and a general
 * parser's per-record stream objects cost more than the settlement of the line itself.
 */
export class CsvRecordReader {
  private pending = '';
  private line = 0;
  private started = false;
  /** Set while the rest of an overlong row is being dropped. */
  private dropping = false;

  constructor(private readonly maxRecordChars: number) {}

  /** The records (and unreadable rows) the text completes, in order. */
  write(text: string): CsvItem[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return this.read(this.pending + text, false);
  }

  /** The last record, when the text does not end with a line break. */
  end(): CsvItem[] {
    return this.read(this.pending, true);
  }

  private read(text: string, final: boolean): CsvItem[] {
    const items: CsvItem[] = [];
    let at = 0;
    if (this.dropping) {
      const newline = nextLineBreak(text, 0);
      if (newline < 0) {
        this.pending = '';
        return items;
      }
      this.dropping = false;
      this.line++;
      at = afterLineBreak(text, newline);
    }
    while (at < text.length) {
      const scan = scanRecord(text, at, final);
      if (scan === undefined) break;
      this.line += scan.lines;
      if ('error' in scan) items.push({ error: scan.error.replace('{line}', String(this.line)), line: this.line });
      else if (scan.fields.length > 0) items.push({ record: scan.fields, line: this.line });
      at = scan.next;
    }
    this.pending = text.slice(at);
    if (this.pending.length > this.maxRecordChars) {
      items.push({ error: `the row is longer than ${this.maxRecordChars} characters at line ${this.line + 1}`, line: this.line + 1 });
      this.pending = '';
      this.dropping = true;
    }
    return items;
  }
}

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || code === CR) return i;
  }
  return -1;
}

function afterLineBreak(text: string, at: number): number {
  return text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
}

/**
 * The record starting at `start`: its fields (none for an empty line), or an unreadable row
 * skipped to the end of its line; undefined when the text ends before the record does and
 * more may come.
 */
function scanRecord(text: string, start: number, final: boolean): Scan {
  const fields: string[] = [];
  const length = text.length;
  let lines = 0;
  let i = start;
  const skipRow = (message: string): Scan => {
    const newline = nextLineBreak(text, i);
    if (newline < 0 && !final) return undefined;
    return { error: message, next: newline < 0 ? length : afterLineBreak(text, newline), lines: lines + 1 };
  };
  // an empty line: no record
  const first = text.charCodeAt(i);
  if (first === LF || first === CR) {
    if (first === CR && i + 1 === length && !final) return undefined;
    return { fields, next: afterLineBreak(text, i), lines: 1 };
  }
  for (;;) {
    while (i < length && isBlank(text.charCodeAt(i))) i++;
    let value: string;
    if (i < length && text.charCodeAt(i) === QUOTE) {
      let parts = '';
      let from = i + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) {
          if (!final) return undefined;
          // the line the text ends on: a last line break ends that line, it starts none
          lines += countLineBreaks(text, from, length) - (endsWithLineBreak(text) ? 1 : 0);
          return { error: 'Quote Not Closed: the text ends inside a quoted field at line {line}', next: length, lines: lines + 1 };
        }
        lines += countLineBreaks(text, from, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          parts += text.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        if (close + 1 === length && !final) return undefined;
        value = parts + text.slice(from, close);
        i = close + 1;
        break;
      }
      while (i < length && isBlank(text.charCodeAt(i))) i++;
      const after = i < length ? text.charCodeAt(i) : -1;
      if (after !== COMMA && after !== LF && after !== CR && after !== -1) return skipRow(`Invalid Closing Quote: text after the closing quote of field ${fields.length + 1} at line {line}`);
    } else {
      const begin = i;
      let code = -1;
      while (i < length) {
        code = text.charCodeAt(i);
        if (code === COMMA || code === LF || code === CR) break;
        if (code === QUOTE) return skipRow(`Invalid Opening Quote: a quote inside the unquoted field ${fields.length + 1} at line {line}`);
        i++;
      }
      let end = i;
      while (end > begin && isBlank(text.charCodeAt(end - 1))) end--;
      value = text.slice(begin, end);
    }
    fields.push(value);
    if (i >= length) {
      if (!final) return undefined;
      return { fields, next: length, lines: lines + 1 };
    }
    const code = text.charCodeAt(i);
    if (code === COMMA) {
      i++;
      continue;
    }
    // a line break ends the record; a CR at the end of the text may be the first half of CRLF
    if (code === CR && i + 1 === length && !final) return undefined;
    return { fields, next: afterLineBreak(text, i), lines: lines + 1 };
  }
}

function endsWithLineBreak(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last === LF || last === CR;
}

/** Line breaks (LF, CRLF or CR) in text[from, to). */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === LF) count++;
    else if (code === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}
