// Tells run.js (over IPC) which port a bench server listens on, and stops it on SIGTERM.
export function ready(server) {
  process.send?.({ ready: true, port: server.address().port });
  process.once('SIGTERM', () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });
}
