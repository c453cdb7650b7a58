// SageMaker EndpointConfig: one production variant (instance type, count,
// volume). Its name hashes that content, so any change is a new config and the
// old one is kept: rollback is UpdateEndpoint back to it.
import {
  CreateEndpointConfigCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { awsFail, hasErrorName, notFoundAs } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { tagList, type TagMap } from '../tags.js';
import { change, creationDiffs } from './diff.js';
import type { ResourceModule } from './resource.js';
import { listOwned, sagemakerEndpointConfigName, type VariantContent } from './sagemaker-names.js';

export interface EndpointConfigDesired extends VariantContent {
  name: string;
  variantName: string;
  tags: TagMap;
}

export interface EndpointConfigObserved {
  name: string;
}

const KIND = 'sagemaker-endpoint-config';

// Types with local NVMe instance storage: SageMaker rejects VolumeSizeInGB for them.
const INSTANCE_STORAGE = /^ml\.(m5d|c5d|r5d|g4dn|g5|g6|g6e|p3dn|p4d|p4de|p5)\./;

export function hasInstanceStorage(instanceType: string): boolean {
  return INSTANCE_STORAGE.test(instanceType);
}

export function productionVariant(d: EndpointConfigDesired): ProductionVariant {
  return {
    VariantName: d.variantName,
    ModelName: d.modelName,
    InstanceType: d.instanceType as ProductionVariant['InstanceType'],
    InitialInstanceCount: d.instanceCount,
    InitialVariantWeight: 1,
    ...(d.volumeSizeGb === undefined ? {} : { VolumeSizeInGB: d.volumeSizeGb }),
  };
}

export const sagemakerEndpointConfig: ResourceModule<EndpointConfigDesired, EndpointConfigObserved> = {
  kind: KIND,

  /** Needs `modelName` upstream. */
  desired(ctx, upstream) {
    const content: VariantContent = {
      modelName: upstream.modelName ?? '',
      instanceType: ctx.env.instanceType,
      instanceCount: ctx.env.instanceCount,
      // release.yaml may give a volume for every env; it only applies to EBS-backed types.
      volumeSizeGb: hasInstanceStorage(ctx.env.instanceType) ? undefined : ctx.env.volumeSizeGb,
    };
    return { name: sagemakerEndpointConfigName(ctx.names, content), ...content, variantName: ctx.names.variant, tags: ctx.tags };
  },

  async observe(ctx, desired) {
    const out = await ctx.clients.sagemaker
      .send(new DescribeEndpointConfigCommand({ EndpointConfigName: desired.name }))
      .catch(notFoundAs(undefined, 'DescribeEndpointConfig', desired.name));
    return out && { name: out.EndpointConfigName! };
  },

  plan(desired, observed) {
    if (observed) return change(KIND, desired.name, 'no-change');
    return change(KIND, desired.name, 'create', creationDiffs(desired, ['modelName', 'instanceType', 'instanceCount', 'volumeSizeGb']));
  },

  async apply(ctx, plan, desired) {
    if (plan.action === 'create') {
      await ctx.clients.sagemaker.send(new CreateEndpointConfigCommand({
        EndpointConfigName: desired.name,
        ProductionVariants: [productionVariant(desired)],
        Tags: tagList(desired.tags),
      })).catch((err: unknown) => {
        if (hasErrorName(err, 'ValidationException') && /already exist/i.test((err as Error).message)) return;
        awsFail('CreateEndpointConfig', desired.name)(err);
      });
    }
    return { endpointConfigName: desired.name };
  },

  /** Every config of this environment, including the ones kept for rollback. */
  async destroy(ctx: DeployContext) {
    const names = await listOwned(ctx, async (NextToken) => {
      const page = await ctx.clients.sagemaker
        .send(new ListEndpointConfigsCommand({ NameContains: ctx.names.prefix, MaxResults: 100, NextToken }))
        .catch(awsFail('ListEndpointConfigs', ctx.names.prefix));
      return { names: (page.EndpointConfigs ?? []).map((c) => c.EndpointConfigName), next: page.NextToken };
    });
    for (const name of names) {
      await ctx.clients.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }))
        .catch(notFoundAs(undefined, 'DeleteEndpointConfig', name));
    }
  },
};
