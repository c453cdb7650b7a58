// Baseline: plain node:http doing the same work per request as the runtime's /invocations
// (read body with a size limit, check Content-Type, JSON.parse, Ajv-validate, predict, JSON).
import { createServer } from 'node:http';
import { Ajv } from 'ajv';
import { createPredict, readIrisParams, REQUEST_SCHEMA } from '../iris-model.js';
import { ready } from './ready.js';

const LIMIT = 1_048_576;
const validate = new Ajv({ strict: false }).compile(REQUEST_SCHEMA);
const predict = createPredict(readIrisParams());
const PING = '{"status":"UP"}';

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/ping') return send(res, 200, PING);
  if (req.method !== 'POST' || req.url !== '/invocations') return send(res, 404, '{"code":"NOT_FOUND"}');
  if (!(req.headers['content-type'] ?? 'application/json').startsWith('application/json')) {
    return send(res, 415, '{"code":"UNSUPPORTED_MEDIA_TYPE"}');
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= LIMIT) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > LIMIT) return send(res, 413, '{"code":"BODY_TOO_LARGE"}');
    let body;
    try {
      body = JSON.parse(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString());
    } catch {
      return send(res, 400, '{"code":"INVALID_JSON"}');
    }
    if (!validate(body))
      return send(res, 400, JSON.stringify({ code: 'INVALID_INPUT', path: validate.errors[0].instancePath }));
    send(res, 200, JSON.stringify({ predictions: predict(body.instances) }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => ready(server));
