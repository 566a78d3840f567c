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
 * {@link push} a chunk, then take its records one by one with {@link next} until it says more
 * text is needed: a record is handled before the next is read, so none outlives its row (a
 * chunk's records read all at once live until the last is handled, long enough for V8 to
 * allocate such records in the old generation, where every one then costs a full GC).
 */
export class CsvRecordReader {
  /** The text being read (what is left of earlier chunks, then the last one pushed) and where reading is in it. */
  private text = '';
  private at = 0;
  /** No more text comes: a record may end with the text. */
  private final = false;
  private line = 0;
  private started = false;
  /** Set while the rest of an overlong row is being dropped. */
  private dropping = false;
  /** Where {@link scanRecord} leaves its result (one object per reader, not one per record). */
  private readonly scan: Scan = { fields: undefined, error: undefined, next: 0, lines: 0 };

  constructor(private readonly maxRecordChars: number) {}

  /** The lines of the text read so far (records, unreadable rows and empty lines handed out by {@link next}). */
  get linesRead(): number {
    return this.line;
  }

  /** Adds a chunk of text; read its records with {@link next} before pushing the next chunk. */
  push(text: string): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.text = this.text.slice(this.at) + text;
    this.at = 0;
  }

  /** Says that no more text comes: the last record may end without a line break. */
  close(): void {
    this.text = this.text.slice(this.at);
    this.at = 0;
    this.final = true;
  }

  /** The next record (or unreadable row) of the text pushed so far; undefined when more text is needed, or after close, at the end. */
  next(): CsvItem | undefined {
    if (this.dropping) {
      const newline = nextLineBreak(this.text, 0);
      const after = newline < 0 ? -1 : afterLineBreak(this.text, newline, this.final);
      if (after < 0) {
        // no line break yet, or a last CR whose LF may start the next chunk: only that CR is kept
        this.text = newline < 0 ? '' : '\r';
        return undefined;
      }
      this.dropping = false;
      this.line++;
      this.at = after;
    }
    const scan = this.scan;
    while (this.at < this.text.length) {
      if (!scanRecord(this.text, this.at, this.final, scan)) break;
      this.line += scan.lines;
      this.at = scan.next;
      if (scan.error !== undefined) return { error: scan.error.replace('{line}', String(this.line)), line: this.line };
      if (scan.fields!.length > 0) return { record: scan.fields!, line: this.line };
    }
    if (this.text.length - this.at > this.maxRecordChars) {
      const line = this.line + 1;
      // a last CR may end the row (CR line breaks) or start its CRLF: dropping the row ends there
      const keepCr = this.text.endsWith('\r');
      // line breaks in the dropped text (in a quoted field, or after a stray quote) are lines of the file all the same
      this.line += countLineBreaks(this.text, this.at, keepCr ? this.text.length - 1 : this.text.length);
      this.text = keepCr ? '\r' : '';
      this.at = 0;
      this.dropping = true;
      return { error: `the row is longer than ${this.maxRecordChars} characters at line ${line}`, line };
    }
    return undefined;
  }
}

/** Where a record ends: its fields (none for an empty line) or why it is unreadable, the index after it and the lines it spans. */
interface Scan {
  fields: string[] | undefined;
  error: string | undefined;
  next: number;
  lines: number;
}

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || code === CR) return i;
  }
  return -1;
}

/**
 * Where the line break at `at` ends; -1 when it is a CR that ends the text and more may come:
 * the LF of its CRLF may start the next chunk, and counted alone it would be an empty line.
 */
function afterLineBreak(text: string, at: number, final: boolean): number {
  if (text.charCodeAt(at) !== CR) return at + 1;
  if (at + 1 < text.length) return text.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
  return final ? at + 1 : -1;
}

/**
 * Reads the record starting at `start` into `scan`: its fields (none for an empty line), or
 * an unreadable row skipped to the end of its line; false when the text ends before the
 * record does and more may come.
 */
function scanRecord(text: string, start: number, final: boolean, scan: Scan): boolean {
  const fields: string[] = [];
  const length = text.length;
  let lines = 0;
  let i = start;
  // an empty line: no record
  const first = text.charCodeAt(i);
  if (first === LF || first === CR) {
    const next = afterLineBreak(text, i, final);
    if (next < 0) return false;
    return read(scan, fields, next, 1);
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
          if (!final) return false;
          // the line the text ends on: a last line break ends that line, it starts none
          lines += countLineBreaks(text, from, length) - (endsWithLineBreak(text) ? 1 : 0);
          return unreadable(scan, 'Quote Not Closed: the text ends inside a quoted field at line {line}', length, lines + 1);
        }
        lines += countLineBreaks(text, from, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          parts += text.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        if (close + 1 === length && !final) return false;
        value = parts + text.slice(from, close);
        i = close + 1;
        break;
      }
      while (i < length && isBlank(text.charCodeAt(i))) i++;
      const after = i < length ? text.charCodeAt(i) : -1;
      if (after !== COMMA && after !== LF && after !== CR && after !== -1) return skipRow(text, i, final, lines, `Invalid Closing Quote: text after the closing quote of field ${fields.length + 1} at line {line}`, scan);
    } else {
      const begin = i;
      let code = -1;
      while (i < length) {
        code = text.charCodeAt(i);
        if (code === COMMA || code === LF || code === CR) break;
        if (code === QUOTE) return skipRow(text, i, final, lines, `Invalid Opening Quote: a quote inside the unquoted field ${fields.length + 1} at line {line}`, scan);
        i++;
      }
      let end = i;
      while (end > begin && isBlank(text.charCodeAt(end - 1))) end--;
      value = text.slice(begin, end);
    }
    fields.push(value);
    if (i >= length) {
      if (!final) return false;
      return read(scan, fields, length, lines + 1);
    }
    const code = text.charCodeAt(i);
    if (code === COMMA) {
      i++;
      continue;
    }
    // a line break ends the record
    const next = afterLineBreak(text, i, final);
    if (next < 0) return false;
    return read(scan, fields, next, lines + 1);
  }
}

function read(scan: Scan, fields: string[], next: number, lines: number): true {
  scan.fields = fields;
  scan.error = undefined;
  scan.next = next;
  scan.lines = lines;
  return true;
}

function unreadable(scan: Scan, error: string, next: number, lines: number): true {
  scan.fields = undefined;
  scan.error = error;
  scan.next = next;
  scan.lines = lines;
  return true;
}

/** An unreadable row, from `i` (inside it) to the end of its line: false when that end has not come yet. */
function skipRow(text: string, i: number, final: boolean, lines: number, message: string, scan: Scan): boolean {
  const newline = nextLineBreak(text, i);
  const next = newline >= 0 ? afterLineBreak(text, newline, final) : final ? text.length : -1;
  if (next < 0) return false;
  return unreadable(scan, message, next, lines + 1);
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
