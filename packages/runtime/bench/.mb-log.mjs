import { pino } from 'pino';
import { createLogDestination } from '../dist/log-destination.js';
import { openSync } from 'node:fs';
const fd = openSync('/dev/null', 'w');
const kind = process.argv[2];
const dest = kind === 'mine' ? createLogDestination({ fd }) : kind === 'sync' ? pino.destination({ dest: fd, sync: true }) : pino.destination({ dest: fd, sync: false });
const logger = pino({ level: kind === 'none' ? 'silent' : 'info', base: { pid: 1 } }, dest);
const c0 = process.cpuUsage();
// 200 turns of 50 lines (like a busy server) then 2000 turns of 1 line
let turns = 0;
function turn() {
  const n = turns < 2000 ? 10 : 1;
  for (let i = 0; i < n; i++) logger.info({ reqId: 'abc-def-0123456789', method: 'POST', route: '/invocations', status: 200, ms: 1.2 }, 'request');
  if (++turns < 4000) setImmediate(turn); else logger.flush(() => { const c = process.cpuUsage(c0); console.log(kind, ((c.user + c.system) / 22000).toFixed(2), 'us/line'); });
}
turn();
