// The API key and usage plan in front of the REST API, when release.yaml asks
// for `api.apiKey`: the key `ms-<name>-<env>-key`, the plan
// `ms-<name>-<env>-usage-plan` with release.yaml's throttle and quota, attached to
// the API's stage and holding the key. Turning apiKey off removes both. Comes
// after the API in the graph (it needs the API id for the plan's stage).
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  paginateGetUsagePlans,
  UpdateUsagePlanCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { ifMissing } from '../aws/aws-error.js';
import type { AwsClients } from '../aws/clients.js';
import { findFirst } from '../aws/pages.js';
import type { DeployContext } from '../context.js';
import { known } from '../known-after-apply.js';
import { change } from './diff.js';
import type { ChangeAction, FieldDiff, KnownOutputs, ResourceModule, StatusReport } from './resource.js';

const KIND = 'api-key';

export interface ApiKeyLimits {
  throttle: { rateLimit: number; burstLimit: number };
  quota: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
}

export interface ApiKeyDesired {
  keyName: string;
  planName: string;
  /** The REST API (upstream `restApiId`) and the stage the plan covers. */
  apiId: string;
  stageName: string;
  /** Undefined: release.yaml has no api.apiKey, so neither key nor plan should exist. */
  limits?: ApiKeyLimits;
  tags: Record<string, string>;
}

export interface ApiKeyObserved {
  usagePlan?: {
    id: string;
    throttle?: { rateLimit?: number; burstLimit?: number };
    quota?: { limit?: number; period?: string };
    stages: string[];
    keyIds: string[];
  };
  apiKeyId?: string;
}

/** What `status` shows: the API key and its usage plan (release.yaml api.apiKey). */
export interface ApiKeyStatus {
  name: string;
  /** release.yaml asks for a key. */
  configured: boolean;
  exists: boolean;
  id?: string;
  usagePlan?: { name: string; id: string; stages: string[] };
}

function findUsagePlan(apiGateway: AwsClients['apiGateway'], name: string) {
  const pages = paginateGetUsagePlans({ client: apiGateway }, { limit: 500 });
  return findFirst(pages, (page) => page.items?.find((p) => p.name === name && p.id));
}

async function findApiKeyId(apiGateway: AwsClients['apiGateway'], name: string): Promise<string | undefined> {
  const out = await apiGateway.send(new GetApiKeysCommand({ nameQuery: name, includeValues: false, limit: 500 }));
  return out.items?.find((k) => k.name === name)?.id;
}

const stageOf = (d: ApiKeyDesired) => `${d.apiId}:${d.stageName}`;
const keyOutputs = (keyId: string | undefined): Record<string, string> => (keyId ? { apiKeyId: keyId } : {});

interface Work {
  action: ChangeAction;
  diffs: FieldDiff[];
  createKey: boolean;
  planPatch: PatchOperation[];
  attachStage: boolean;
  addKey: boolean;
}

/** Everything that differs, as the pure basis of both plan and apply. */
export function work(d: ApiKeyDesired, o: ApiKeyObserved | undefined): Work {
  const w: Work = {
    action: 'no-change',
    diffs: [],
    createKey: false,
    planPatch: [],
    attachStage: false,
    addKey: false,
  };
  const { diffs } = w;
  if (!d.limits) {
    if (o?.usagePlan || o?.apiKeyId) {
      w.action = 'delete';
      diffs.push({ field: 'apiKey', from: o.apiKeyId ?? o.usagePlan?.id, to: undefined });
    }
    return w;
  }
  const want = d.limits;
  if (!o?.apiKeyId) {
    w.createKey = true;
    diffs.push({ field: 'apiKey', from: undefined, to: d.keyName });
  }
  const plan = o?.usagePlan;
  if (!plan) {
    diffs.push({ field: 'usagePlan', from: undefined, to: d.planName });
  } else {
    const p = w.planPatch;
    if (plan.throttle?.rateLimit !== want.throttle.rateLimit)
      p.push({ op: 'replace', path: '/throttle/rateLimit', value: String(want.throttle.rateLimit) });
    if (plan.throttle?.burstLimit !== want.throttle.burstLimit)
      p.push({ op: 'replace', path: '/throttle/burstLimit', value: String(want.throttle.burstLimit) });
    if (plan.quota?.limit !== want.quota.limit)
      p.push({ op: 'replace', path: '/quota/limit', value: String(want.quota.limit) });
    if (plan.quota?.period !== want.quota.period)
      p.push({ op: 'replace', path: '/quota/period', value: want.quota.period });
    if (p.length)
      diffs.push({
        field: 'usagePlan.limits',
        from: { throttle: plan.throttle, quota: plan.quota },
        to: { throttle: want.throttle, quota: want.quota },
      });
    // An API still to be created has no id yet: its stage is attached at apply time.
    if (!plan.stages.includes(stageOf(d))) {
      w.attachStage = true;
      if (known(d.apiId)) diffs.push({ field: 'usagePlan.apiStages', from: plan.stages, to: [stageOf(d)] });
    }
  }
  if (!plan || !o?.apiKeyId || !plan.keyIds.includes(o.apiKeyId)) {
    w.addKey = true;
    if (plan && o?.apiKeyId) diffs.push({ field: 'usagePlan.keys', from: plan.keyIds, to: [o.apiKeyId] });
  }
  w.action = !o ? 'create' : diffs.length || w.attachStage || w.addKey ? 'update' : 'no-change';
  return w;
}

/** A usage plan cannot be deleted while API stages are attached to it: detach, delete, then the key. */
async function removeKeyAndPlan(ctx: DeployContext, o: ApiKeyObserved): Promise<void> {
  const api = ctx.clients.apiGateway;
  const plan = o.usagePlan;
  if (plan) {
    if (plan.stages.length) {
      await api
        .send(
          new UpdateUsagePlanCommand({
            usagePlanId: plan.id,
            patchOperations: plan.stages.map((s) => ({ op: 'remove', path: '/apiStages', value: s })),
          }),
        )
        .catch(ifMissing(undefined));
    }
    await api.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id })).catch(ifMissing(undefined));
  }
  if (o.apiKeyId) await api.send(new DeleteApiKeyCommand({ apiKey: o.apiKeyId })).catch(ifMissing(undefined));
}

export const apiKeyResource: ResourceModule<ApiKeyDesired, ApiKeyObserved> &
  KnownOutputs<ApiKeyDesired, ApiKeyObserved> &
  StatusReport<ApiKeyDesired, ApiKeyObserved, ApiKeyStatus> = {
  kind: KIND,

  // From AWS and release.yaml both: a key left behind after api.apiKey was removed still shows.
  status(d, o) {
    const plan = o?.usagePlan;
    return {
      name: d.keyName,
      configured: d.limits !== undefined,
      exists: o?.apiKeyId !== undefined,
      id: o?.apiKeyId,
      usagePlan: plan && { name: d.planName, id: plan.id, stages: plan.stages },
    };
  },

  /** Needs `restApiId` upstream. */
  desired(ctx, upstream) {
    const { names, release } = ctx;
    return {
      keyName: names.apiKey,
      planName: names.usagePlan,
      apiId: upstream.restApiId ?? '',
      stageName: names.stage,
      ...(release.api.apiKey
        ? { limits: { throttle: { ...release.api.throttle }, quota: { ...release.api.quota } } }
        : {}),
      tags: { ...ctx.tags },
    };
  },

  async observe(ctx, d) {
    const api = ctx.clients.apiGateway;
    const o: ApiKeyObserved = {};
    const plan = await findUsagePlan(api, d.planName);
    if (plan?.id) {
      const keys = await api.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id, limit: 500 }));
      o.usagePlan = {
        id: plan.id,
        throttle: plan.throttle,
        quota: plan.quota,
        stages: (plan.apiStages ?? []).map((s) => `${s.apiId}:${s.stage}`),
        keyIds: (keys.items ?? []).flatMap((k) => (k.id ? [k.id] : [])),
      };
    }
    const keyId = await findApiKeyId(api, d.keyName);
    if (keyId) o.apiKeyId = keyId;
    return o.usagePlan || o.apiKeyId ? o : undefined;
  },

  plan(d, o) {
    const w = work(d, o);
    return change(KIND, d.keyName, w.action, w.diffs);
  },

  knownOutputs(d, o) {
    // A key that exists keeps its id; one still to be created is not known yet.
    if (!d.limits) return {};
    return o?.apiKeyId ? keyOutputs(o.apiKeyId) : undefined;
  },

  async apply(ctx, plan, d, observed) {
    const api = ctx.clients.apiGateway;
    const w = work(d, observed);
    if (plan.action === 'delete' && observed) {
      await removeKeyAndPlan(ctx, observed);
      return {};
    }
    if (!d.limits) return {};
    let keyId = observed?.apiKeyId;
    if (plan.action === 'no-change') return keyOutputs(keyId);
    if (w.createKey) {
      const out = await api.send(new CreateApiKeyCommand({ name: d.keyName, enabled: true, tags: d.tags }));
      keyId = out.id;
    }
    let planId = observed?.usagePlan?.id;
    if (!planId) {
      const out = await api.send(
        new CreateUsagePlanCommand({
          name: d.planName,
          apiStages: [{ apiId: d.apiId, stage: d.stageName }],
          throttle: d.limits.throttle,
          quota: d.limits.quota,
          tags: d.tags,
        }),
      );
      planId = out.id;
    } else {
      const patch = [...w.planPatch];
      if (w.attachStage) patch.push({ op: 'add', path: '/apiStages', value: stageOf(d) });
      if (patch.length) await api.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: patch }));
    }
    if (planId && keyId && !(observed?.usagePlan?.keyIds ?? []).includes(keyId)) {
      await api.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }));
    }
    return keyOutputs(keyId);
  },

  async destroy(ctx, d) {
    const o = await apiKeyResource.observe(ctx, d);
    if (o) await removeKeyAndPlan(ctx, o);
  },
};
