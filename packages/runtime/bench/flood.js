// The "flood" row: while clients keep posting the largest bodies the runtime admits (6 MiB of
// JSON and of CSV, ~350,000 rows each, refused for their instance count), autocannon asks
// GET /ping; the row's p99 is what SageMaker's health check would see (it allows 2 s).
import http from 'node:http';

const LIMIT = 6 * 1024 * 1024;

function largest(prefix, row, sep, suffix) {
  const n = Math.floor((LIMIT - prefix.length - suffix.length) / (row.length + sep.length));
  return Buffer.from(prefix + Array(n).fill(row).join(sep) + suffix);
}

/** Starts `clients` JSON and `clients` CSV posters against `url`; returns stop() -> bodies answered. */
export function startFlood(url, clients = 2) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true });
  const bodies = [
    ['application/json', largest('{"instances":[', '[5.1,3.5,1.4,0.2]', ',', ']}')],
    ['text/csv', largest('', '5.1,3.5,1.4,0.2', '\n', '\n')],
  ];
  let running = true;
  let answered = 0;
  const post = (type, body) =>
    new Promise((resolve) => {
      const req = http.request(
        {
          hostname,
          port,
          path: '/invocations',
          method: 'POST',
          agent,
          headers: { 'content-type': type, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const loops = bodies.flatMap(([type, body]) =>
    Array.from({ length: clients }, async () => {
      while (running) {
        await post(type, body);
        answered += 1;
      }
    }),
  );
  return async () => {
    running = false;
    await Promise.all(loops);
    agent.destroy();
    return answered;
  };
}
