import { pino } from 'pino';
import { createLogDestination } from '../dist/log-destination.js';
import { openSync } from 'node:fs';
const fd = openSync('/dev/null', 'w');
const kind = process.argv[2];
const dest = createLogDestination({ fd });
const logger = pino({ level: kind === 'none' ? 'silent' : 'info', base: { pid: 1 } }, dest);
const c0 = process.cpuUsage();
let turns = 0;
const id = 'abc-def-0123456789';
function turn() {
  const n = turns < 2000 ? 10 : 1;
  for (let i = 0; i < n; i++) {
    if (kind === 'raw') dest.write(`{"level":30,"time":${Date.now()},"pid":1,"reqId":${JSON.stringify(id)},"method":"POST","route":"/invocations","status":200,"ms":1.2,"msg":"request"}\n`);
    else logger.info({ reqId: id, method: 'POST', route: '/invocations', status: 200, ms: 1.2 }, 'request');
  }
  if (++turns < 4000) setImmediate(turn); else logger.flush(() => { const c = process.cpuUsage(c0); console.log(kind, ((c.user + c.system) / 22000).toFixed(2), 'us/line'); });
}
turn();
