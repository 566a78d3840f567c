import type { IncomingMessage, ServerResponse } from 'node:http';

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * express.json's `verify` hook: keeps the bytes of the requests `wanted` names, for the checks
 * JSON.parse cannot make (it keeps the last of two members with one name, silently).
 */
export function keepRawBody(wanted: (url: string) => boolean): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (req, _res, body) => {
    if (wanted(req.url ?? '')) rawBodies.set(req, body);
  };
}

/** The bytes of a request's JSON body, when {@link keepRawBody} kept them. */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return rawBodies.get(req);
}
