#!/usr/bin/env node
// Verifies a suanpan quote offline, with nothing but the quote, the service's JWKS and jose
// (npm install jose). Any JOSE library that verifies a compact EdDSA JWS works the same way.
//
// A quote from POST /v1/quotes (signed alone):
//   1. take the quote document exactly as received and remove its "signature" member;
//   2. serialise the rest as RFC 8785 canonical JSON (below, 25 lines) and base64url it;
//   3. the signature is "<header>..<sig>" (detached payload): put the payload between the dots;
//   4. verify that compact JWS (alg EdDSA) with the JWKS key whose kid the header names;
//   5. refuse it after its expiresAt.
//
// Either way: refuse a document that repeats a member name (JSON.parse keeps the last of the two;
// which one was signed cannot be told), and check that the JWS header's typ says what was signed.
//
// A quote from POST /v1/quotes:batch (the batch is signed once, over a Merkle tree of its quotes):
//   1. remove "signature" and "inclusionProof"; serialise the rest as RFC 8785 canonical JSON;
//   2. its leaf hash is SHA-256(0x00 ‖ that JSON as UTF-8);
//   3. the signature is a compact JWS "<header>.<payload>.<sig>", header typ "suanpan-quote-batch":
//      verify it as above; its payload is {"merkleRoot": …, "treeSize": …};
//   4. climb inclusionProof.path from the leaf at inclusionProof.leafIndex (RFC 9162 §2.1.3.2,
//      inner nodes SHA-256(0x01 ‖ left ‖ right)); the root reached must be merkleRoot;
//   5. refuse it after its expiresAt.
//
// usage: node examples/verify-quote.mjs <quote.json> --jwks <jwks.json | https://…/.well-known/jwks.json> [--now <ISO date-time>]
// exit 0: genuine and not expired; 1: not; 2: bad usage.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { base64url, compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';

/** RFC 8785 JSON Canonicalization Scheme. */
function canonicalJson(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('not a JSON number');
    return JSON.stringify(value); // ECMAScript shortest round-trip form, as RFC 8785 specifies
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // UTF-16 code unit order
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} is not JSON`);
}

/** SHA-256 of the concatenated parts. */
const sha256 = (...parts) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();

/** RFC 9162 §2.1.3.2: the root that `leaf`, at `index` of a tree of `size` leaves, reaches along `path`; undefined if it cannot. */
function rootFromAuditPath(leaf, index, size, path) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let [fn, sn, r] = [index, size - 1, leaf];
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 ? r : undefined;
}

/** The JSON pointer of a member whose name its object already has (RFC 8785 is for I-JSON: unique names). */
function repeatedMember(text) {
  const stack = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (expectingName && top?.names) {
        const name = JSON.parse(text.slice(i, end + 1));
        if (top.names.has(name)) return [...stack.slice(0, -1).map((f) => (f.names ? f.name : f.index)), name].map((t) => `/${t}`).join('');
        top.names.add(name);
        top.name = name;
        expectingName = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      stack.push(c === '{' ? { names: new Set() } : { index: 0 });
      expectingName = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectingName = false;
    } else if (c === ',') {
      if (top?.names) expectingName = true;
      else if (top) top.index++;
    }
  }
  return undefined;
}

const BATCH_ROOT_TYP = 'suanpan-quote-batch';
/** A 32-byte hash in its one base64url spelling (43 characters, unused bits zero); undefined otherwise. */
function hashOf(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const hash = Buffer.from(text, 'base64url');
  return hash.toString('base64url') === text ? hash : undefined;
}

/**
 * `quote` is the parsed document; `text`, when given, the text it was parsed from (to refuse a
 * repeated member name, which JSON.parse would silently resolve).
 * @returns {Promise<{ status: 'valid' | 'invalid' | 'missing' | 'unknown-key' | 'expired', kid?: string, reason?: string }>}
 */
export async function verifyQuote(quote, jwks, now = new Date(), text = undefined) {
  const repeated = text === undefined ? undefined : repeatedMember(text);
  if (repeated !== undefined) return { status: 'invalid', reason: `the member ${repeated} appears twice` };
  const { signature, inclusionProof, ...unsigned } = quote;
  if (typeof signature !== 'string' || signature === '') return { status: 'missing' };
  const batched = inclusionProof !== undefined;
  const parts = (batched ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/ : /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/).exec(signature);
  if (parts === null) return { status: 'invalid', reason: batched ? 'not a compact JWS' : 'not a detached compact JWS' };
  let header;
  try {
    header = decodeProtectedHeader(signature);
  } catch {
    return { status: 'invalid', reason: 'unreadable JWS header' };
  }
  if (typeof header.kid !== 'string') return { status: 'invalid', reason: 'the JWS header names no kid' };
  // a batch's signature signs its Merkle root (typ suanpan-quote-batch); a quote's own has no typ
  if (header.typ !== (batched ? BATCH_ROOT_TYP : undefined)) return { status: 'invalid', kid: header.kid, reason: `JWS typ ${header.typ} for a quote ${batched ? 'from a batch' : 'signed alone'}` };
  if (!jwks.keys.some((key) => key.kid === header.kid)) return { status: 'unknown-key', kid: header.kid };
  try {
    const document = canonicalJson(unsigned);
    if (batched) {
      const { payload } = await compactVerify(signature, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
      const root = JSON.parse(new TextDecoder().decode(payload));
      const { leafIndex, path } = inclusionProof ?? {};
      const signedRoot = hashOf(root?.merkleRoot);
      const hashes = Array.isArray(path) && path.length <= 64 ? path.map(hashOf) : [undefined];
      const wellFormed =
        signedRoot !== undefined && Object.keys(root).length === 2 && Number.isSafeInteger(root.treeSize) &&
        typeof inclusionProof === 'object' && Object.keys(inclusionProof).length === 2 && Number.isSafeInteger(leafIndex) && !hashes.includes(undefined);
      if (!wellFormed) return { status: 'invalid', kid: header.kid, reason: 'the inclusion proof or the signed root is not in the form suanpan writes' };
      const leaf = sha256(Buffer.from([0]), Buffer.from(document, 'utf8'));
      const reached = rootFromAuditPath(leaf, leafIndex, root.treeSize, hashes);
      if (reached === undefined || !reached.equals(signedRoot)) return { status: 'invalid', kid: header.kid, reason: 'the inclusion proof does not lead to the signed Merkle root' };
    } else {
      await compactVerify(`${parts[1]}.${base64url.encode(document)}.${parts[2]}`, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    }
  } catch (error) {
    return { status: 'invalid', kid: header.kid, reason: error.code ?? error.message };
  }
  const expiresAt = typeof quote.expiresAt === 'string' ? Date.parse(quote.expiresAt) : Number.NaN;
  if (Number.isNaN(expiresAt)) return { status: 'invalid', kid: header.kid, reason: 'no readable expiresAt' };
  if (now.getTime() >= expiresAt) return { status: 'expired', kid: header.kid };
  return { status: 'valid', kid: header.kid };
}

async function readJwks(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(source, 'utf8'));
}

async function main(argv) {
  const [file, ...rest] = argv;
  const option = (name) => {
    const i = rest.indexOf(name);
    return i === -1 ? undefined : rest[i + 1];
  };
  const jwksSource = option('--jwks');
  const nowText = option('--now');
  if (file === undefined || jwksSource === undefined || (nowText !== undefined && Number.isNaN(Date.parse(nowText)))) {
    process.stderr.write('usage: node examples/verify-quote.mjs <quote.json> --jwks <jwks.json | URL> [--now <ISO date-time>]\n');
    return 2;
  }
  const text = readFileSync(file, 'utf8');
  const quote = JSON.parse(text);
  const result = await verifyQuote(quote, await readJwks(jwksSource), nowText === undefined ? new Date() : new Date(nowText), text);
  process.stdout.write(`${JSON.stringify({ quoteId: quote.quoteId, ...result })}\n`);
  if (result.status === 'valid') process.stdout.write(`genuine: quote ${quote.quoteId}, net ${quote.totals?.net} ${quote.currency}, rule version ${quote.rulesetVersion}, valid until ${quote.expiresAt}\n`);
  return result.status === 'valid' ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
