// The lazily loaded clients (EC2, ElastiCache) for resource modules: created on a module's first
// call, once per set of eager clients (one command), so a release without a provisioned cache never
// loads those SDK packages (EC2 alone takes seconds to import on a small machine).
import { createLazyAwsClient, type AwsClients, type LazyAwsClients, type LazyServiceKey } from './clients.js';

const loaded = new WeakMap<AwsClients, Map<LazyServiceKey, Promise<unknown>>>();

export function lazyClient<K extends LazyServiceKey>(
  scope: { clients: AwsClients; region: string },
  service: K,
): Promise<LazyAwsClients[K]> {
  let byService = loaded.get(scope.clients);
  if (!byService) loaded.set(scope.clients, (byService = new Map()));
  let client = byService.get(service);
  if (!client) byService.set(service, (client = createLazyAwsClient(service, { region: scope.region })));
  return client as Promise<LazyAwsClients[K]>;
}
