import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** The text encodings a settlement file may be read in. */
export type TextEncodingName = 'utf-8' | 'gb18030';

const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
/** The most bytes of one line held back while waiting for its end (a longer line is decoded as it comes). */
const HOLD_LIMIT = 4 << 20;

/**
 * Decodes a file's bytes as they stream in, in one of the `accepted` encodings, and never
 * guesses silently: bytes that are not valid text in the encoding chosen end the decoding
 * with a {@link failure} instead of becoming U+FFFD.
 *
 * With several encodings accepted (UTF-8 and GB18030 for CSV: Chinese Excel's plain "CSV"
 * save writes GBK, of which GB18030 is a superset), the encoding is chosen on the first
 * lines that hold a byte beyond ASCII (both encodings read ASCII alike): the one in which
 * those whole lines are valid, or when both read them, the likelier (see chooseEncoding). A
 * later line that is not valid in the chosen encoding (a file of mixed encodings, or one in
 * neither, such as Latin-1 that happens to start GBK-like) is a failure, not garbled text.
 *
 * Text is handed on in whole lines (up to {@link HOLD_LIMIT} bytes are held back for the rest
 * of a line), so after a failure the text returned so far ends at the line before the bad one.
 */
export class InputTextDecoder {
  private decoder: TextDecoder | undefined;
  private chosen: TextEncodingName | undefined;
  private held: Buffer = EMPTY;
  /** The decoder may hold part of a character: the last bytes it was given did not end a line. */
  private midLine = false;
  private why: string | undefined;

  constructor(private readonly accepted: readonly TextEncodingName[]) {}

  /** The encoding chosen; undefined while every byte so far was ASCII. */
  get encoding(): TextEncodingName | undefined {
    return this.chosen;
  }

  /** Why decoding stopped: the bytes of the next line are not valid text in the accepted encodings. */
  get failure(): string | undefined {
    return this.why;
  }

  /** The text of the whole lines `chunk` completes ('' after a failure). */
  write(chunk: Buffer): string {
    if (this.why !== undefined) return '';
    // ASCII reads the same in every accepted encoding: the common case costs one native scan
    if (this.held.length === 0 && !this.midLine && isAscii(chunk)) return chunk.toString('latin1');
    const bytes = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const cut = bytes.lastIndexOf(LF) + 1;
    if (cut === 0 && bytes.length <= HOLD_LIMIT) {
      this.held = bytes;
      return '';
    }
    this.held = cut === 0 ? EMPTY : bytes.subarray(cut);
    return this.decode(cut === 0 ? bytes : bytes.subarray(0, cut), cut > 0);
  }

  /** The text of the last line (which may end without a line break). */
  end(): string {
    if (this.why !== undefined) return '';
    const rest = this.held;
    this.held = EMPTY;
    const text = rest.length === 0 ? '' : this.decode(rest, false);
    if (this.why !== undefined || this.decoder === undefined) return text;
    try {
      return text + this.decoder.decode();
    } catch {
      this.why = `the file ends inside a character: it is not ${this.describe()}`;
      return text;
    }
  }

  private decode(bytes: Buffer, endsLine: boolean): string {
    if (this.decoder === undefined) {
      if (isAscii(bytes)) return bytes.toString('latin1');
      this.chosen = chooseEncoding(this.accepted, bytes, endsLine);
      if (this.chosen === undefined) return this.fail(bytes);
      this.decoder = new TextDecoder(this.chosen, { fatal: true });
    }
    try {
      const text = this.decoder.decode(bytes, { stream: true });
      this.midLine = !endsLine;
      return text;
    } catch {
      return this.fail(bytes);
    }
  }

  /** Records the failure; the text of the whole lines of `bytes` before the bad one. */
  private fail(bytes: Buffer): string {
    this.why = `the bytes are not ${this.describe()}: save the file as UTF-8 ("CSV UTF-8" in Excel)`;
    // the lines before the bad one still count (their row numbers say where the bad one is)
    const start = this.midLine ? bytes.indexOf(LF) + 1 : 0;
    if (this.midLine && start === 0) return '';
    const encodings = this.chosen === undefined ? this.accepted : [this.chosen];
    const valid = (end: number): boolean => encodings.some((encoding) => validIn(encoding, bytes.subarray(start, end), false));
    let good = start;
    let bad = bytes.length;
    while (bad - good > 1) {
      const middle = (good + bad) >>> 1;
      if (valid(middle)) good = middle;
      else bad = middle;
    }
    const lineEnd = bytes.lastIndexOf(LF, good - 1) + 1;
    if (lineEnd <= start) return '';
    const lines = bytes.subarray(start, lineEnd);
    const encoding = encodings.find((candidate) => validIn(candidate, lines, true)) ?? 'utf-8';
    return new TextDecoder(encoding).decode(lines);
  }

  private describe(): string {
    if (this.chosen !== undefined) return `valid ${ENCODING_NAMES[this.chosen]} (as the lines before it are)`;
    return this.accepted.map((encoding) => ENCODING_NAMES[encoding]).join(' or ');
  }
}

const ENCODING_NAMES: Readonly<Record<TextEncodingName, string>> = { 'utf-8': 'UTF-8', gb18030: 'GB18030 (GBK)' };

/**
 * The accepted encoding `bytes` (whole lines, some beyond ASCII) are text in. When both UTF-8
 * and GB18030 read them — a GBK 汉字 whose two bytes are a two-byte UTF-8 sequence too
 * (某医院 in GBK is valid UTF-8 for "ĳҽԺ"; the mirror image of "é" in UTF-8 is 茅 in GBK) —
 * the UTF-8 reading wins when the bytes start with its BOM, when it holds a character of three bytes or more (every 汉字 in UTF-8
 * does; GBK rarely forms one) or only Latin-1 letters (é, ü, ß), and the GB18030 reading wins
 * when it is nothing but 汉字, CJK punctuation and full-width forms.
 */
function chooseEncoding(accepted: readonly TextEncodingName[], bytes: Buffer, endsLine: boolean): TextEncodingName | undefined {
  const readable = accepted.filter((encoding) => validIn(encoding, bytes, endsLine));
  if (readable.length < 2) return readable[0];
  // Excel's "CSV UTF-8" starts with a BOM; its plain (GBK) "CSV" never does
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  const utf8 = new TextDecoder('utf-8').decode(bytes);
  if (BEYOND_TWO_BYTES.test(utf8) || LATIN_1.test(utf8)) return 'utf-8';
  return CJK.test(new TextDecoder('gb18030').decode(bytes)) ? 'gb18030' : 'utf-8';
}

const BEYOND_TWO_BYTES = /[\u0800-\uffff]/;
const LATIN_1 = /^[\u0000-\u00ff]*$/;
const CJK = /^[\u0000-\u007f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*$/;

/** Whether `bytes` are valid text in `encoding`; a character cut at the end is allowed unless they end a line. */
function validIn(encoding: TextEncodingName, bytes: Uint8Array, complete: boolean): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}
