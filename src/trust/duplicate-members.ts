/**
 * The JSON pointer of the first member whose name its object already has, in JSON text that
 * JSON.parse accepts; undefined when every object's names are unique. JSON.parse keeps the last
 * of two members with one name where another reader may keep the first, so a signed document
 * with a duplicate could show one reader a figure the signature never covered: RFC 8785
 * canonicalises I-JSON (RFC 7493) only, which forbids duplicates. Names are compared decoded
 * (`"a"` and `"\u0061"` are the same name).
 */
export function firstDuplicateMember(json: string): string | undefined {
  const stack: Frame[] = [];
  let expectingName = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(json, i);
      const top = stack[stack.length - 1];
      if (expectingName && top?.kind === 'object') {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.names.has(name)) return pointerOf(stack.slice(0, -1), name);
        top.names.add(name);
        top.name = name;
        expectingName = false;
      }
      i = end;
    } else if (code === OPEN_BRACE) {
      stack.push({ kind: 'object', names: new Set(), name: '' });
      expectingName = true;
    } else if (code === OPEN_BRACKET) {
      stack.push({ kind: 'array', index: 0 });
      expectingName = false;
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

/** RFC 6901: the members and indexes leading to `name`, `~` and `/` escaped. */
function pointerOf(parents: readonly Frame[], name: string): string {
  const tokens = parents.map((frame) => (frame.kind === 'object' ? frame.name : String(frame.index)));
  return [...tokens, name].map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
