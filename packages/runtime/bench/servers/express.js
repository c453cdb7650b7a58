// Baseline: bare Express 5 + express.json() + Ajv, the same work as raw-http.js.
import express from 'express';
import { Ajv } from 'ajv';
import { createPredict, readIrisParams, REQUEST_SCHEMA } from '../iris-model.js';
import { ready } from './ready.js';

const validate = new Ajv({ strict: false }).compile(REQUEST_SCHEMA);
const predict = createPredict(readIrisParams());
const app = express();
app.get('/ping', (_req, res) => {
  res.json({ status: 'UP' });
});
app.post('/invocations', express.json({ limit: '1mb' }), (req, res) => {
  if (!validate(req.body)) {
    res.status(400).json({ code: 'INVALID_INPUT', path: validate.errors[0].instancePath });
    return;
  }
  res.json({ predictions: predict(req.body.instances) });
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => ready(server));
server.keepAliveTimeout = 65_000;
