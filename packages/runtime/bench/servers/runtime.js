// The system under test: @model-service/runtime (built dist) serving the iris model with its
// defaults in production shape: validation, metrics, JSON logs (info, to stdout), memory cache.
import { createService } from '../../dist/runtime.bundle.js';
import { createBenchIrisModel } from '../iris-model.js';

const service = createService({
  model: createBenchIrisModel(),
  cache: { kind: 'memory', ttlSeconds: 300, maxEntries: 10_000 },
  logLevel: 'info',
  ...JSON.parse(process.env.BENCH_RUNTIME_OPTIONS ?? '{}'),
});
const { port } = await service.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
process.send?.({ ready: true, port });
process.once('SIGTERM', () => {
  service.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
