/**
 * BENCH BASELINE ONLY, on $PORT in SUANPAN_WORKERS processes like the real service: a bare
 * node:http JSON echo, no framework. POST /echo reads the body, parses it and answers it
 * serialised again (what any JSON endpoint must at least do); GET /readyz answers 200. The
 * quote lane serves POST /v1/quotes on node:http directly, so this, at the same number of
 * processes, is its honest upper bound.
 */
import { createServer } from 'node:http';
import { runOnCores, workerCount } from '../cluster';

runOnCores(
  workerCount(),
  () => {
    createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/readyz') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ready"}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
    }).listen(Number(process.env['PORT'] ?? 8082), process.env['HOST'] ?? '127.0.0.1');
  },
  () => undefined,
);
