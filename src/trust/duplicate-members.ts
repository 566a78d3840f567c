/** What {@link firstMemberProblem} finds first: a member name its object already has, or a value nested too deep. */
export interface MemberProblem {
  readonly kind: 'duplicate' | 'too-deep';
  /** JSON pointer of the repeated member, or of the first array or object past the depth limit. */
  readonly pointer: string;
}

/**
 * The JSON pointer of the first member whose name its object already has, in JSON text that
 * JSON.parse accepts; undefined when every object's names are unique. JSON.parse keeps the last
 * of two members with one name where another reader may keep the first, so a signed document
 * with a duplicate could show one reader a figure the signature never covered: RFC 8785
 * canonicalises I-JSON (RFC 7493) only, which forbids duplicates. Names are compared decoded
 * (`"a"` and `"\u0061"` are the same name).
 */
export function firstDuplicateMember(json: string): string | undefined {
  return firstMemberProblem(json)?.pointer;
}

/**
 * Scans JSON text that JSON.parse accepts, in one pass and without recursion, for the first
 * repeated member name (see {@link firstDuplicateMember}) or array or object nested deeper than
 * `maxDepth` (the top-level value is depth 1): code that walks a parsed value recursively
 * (canonical JSON, a diff) overflows the stack on a value nested a hundred thousand deep.
 */
export function firstMemberProblem(json: string, maxDepth = Number.POSITIVE_INFINITY): MemberProblem | undefined {
  const stack: Frame[] = [];
  let expectingName = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(json, i);
      const top = stack[stack.length - 1];
      if (expectingName && top?.kind === 'object') {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.names.has(name)) return { kind: 'duplicate', pointer: pointerOf([...stack.slice(0, -1).map(tokenOf), name]) };
        top.names.add(name);
        top.name = name;
        expectingName = false;
      }
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (stack.length >= maxDepth) return { kind: 'too-deep', pointer: pointerOf(stack.map(tokenOf)) };
      stack.push(code === OPEN_BRACE ? { kind: 'object', names: new Set(), name: '' } : { kind: 'array', index: 0 });
      expectingName = code === OPEN_BRACE;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
      expectingName = false;
    } else if (code === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') expectingName = true;
      else if (top?.kind === 'array') top.index++;
    }
  }
  return undefined;
}

type Frame = { readonly kind: 'object'; readonly names: Set<string>; name: string } | { readonly kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** The index of the quote that closes the string opened at `start`. */
function endOfString(json: string, start: number): number {
  for (let i = start + 1; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return json.length;
}

function tokenOf(frame: Frame): string {
  return frame.kind === 'object' ? frame.name : String(frame.index);
}

/** RFC 6901: a pointer of `tokens`, `~` and `/` escaped. */
function pointerOf(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * {@link firstDuplicateMember} for text JSON.parse has already read as `value`: the pointer of
 * the first repeated member name, or undefined. Cheap when no name repeats (the usual case):
 * the text's member count (its colons outside strings) is compared with the members `value`
 * kept — JSON.parse keeps one per name, so the two differ exactly when a name repeats — and
 * only then is the text walked for the pointer.
 *
 * @example duplicateMemberIn('{"quantity":30,"quantity":1}', { quantity: 1 }) // '/quantity'
 */
export function duplicateMemberIn(json: string, value: unknown): string | undefined {
  if (membersWritten(json) === membersKept(value)) return undefined;
  return firstDuplicateMember(json);
}

/** The members in JSON text: the colons outside its strings (each member has one, nothing else does). */
function membersWritten(json: string): number {
  let count = 0;
  let at = 0;
  for (;;) {
    const quote = json.indexOf('"', at);
    const end = quote < 0 ? json.length : quote;
    for (let i = at; i < end; i++) if (json.charCodeAt(i) === COLON) count++;
    if (quote < 0) return count;
    at = closingQuote(json, quote) + 1;
  }
}

/** The quote that closes the string opened at `start` (the text's length when none does), found with indexOf. */
function closingQuote(json: string, start: number): number {
  let close = json.indexOf('"', start + 1);
  while (close > 0) {
    let backslashes = 0;
    while (json.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = json.indexOf('"', close + 1);
  }
  return json.length;
}

/** The members of every object in a parsed JSON value (with a stack of its own: any depth JSON.parse reads). */
function membersKept(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    for (const key in next) {
      count++;
      const member = (next as Record<string, unknown>)[key];
      if (typeof member === 'object' && member !== null) pending.push(member);
    }
  }
  return count;
}

const COLON = 0x3a;
