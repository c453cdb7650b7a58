// API Gateway's own error answers (a missing or expired token is its 401, a wrong scope its 403,
// a throttled call its 429) come from gateway responses, not from the proxy: without a CORS header
// on them a browser reports a CORS error instead of the status. With release.yaml CORS origins the
// API's DEFAULT_4XX and DEFAULT_5XX carry Access-Control-Allow-Origin; without, they are AWS's own.
import {
  DeleteGatewayResponseCommand,
  GetGatewayResponseCommand,
  PutGatewayResponseCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { ifMissing } from '../aws/aws-error.js';
import type { FieldDiff } from './resource.js';

export const CORS_RESPONSE_TYPES = ['DEFAULT_4XX', 'DEFAULT_5XX'] as const;
export type CorsResponseType = (typeof CORS_RESPONSE_TYPES)[number];

const ALLOW_ORIGIN = 'gatewayresponse.header.Access-Control-Allow-Origin';

/**
 * The header's mapping: one origin (or `*`) as a literal; several echo the request's Origin (a
 * static header names only one; an error body holds nothing an origin could take). None: no CORS.
 */
export function corsErrorOrigin(origins: readonly string[]): string | undefined {
  if (origins.length === 0) return undefined;
  if (origins.includes('*')) return "'*'";
  return origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.Origin';
}

/** The Allow-Origin mapping each response type has now (undefined: none, AWS's default response). */
export async function observeCorsResponses(
  api: APIGatewayClient,
  restApiId: string,
): Promise<Record<CorsResponseType, string | undefined>> {
  const out = {} as Record<CorsResponseType, string | undefined>;
  for (const responseType of CORS_RESPONSE_TYPES) {
    const r = await api.send(new GetGatewayResponseCommand({ restApiId, responseType })).catch(ifMissing(undefined));
    out[responseType] = r?.responseParameters?.[ALLOW_ORIGIN];
  }
  return out;
}

export interface CorsResponseChange {
  responseType: CorsResponseType;
  /** undefined: delete the customization (back to AWS's default). */
  origin: string | undefined;
}

export function corsResponseChanges(
  wanted: string | undefined,
  observed: Partial<Record<CorsResponseType, string | undefined>>,
  diffs: FieldDiff[],
): CorsResponseChange[] {
  const changes: CorsResponseChange[] = [];
  for (const responseType of CORS_RESPONSE_TYPES) {
    const has = observed[responseType];
    if (has === wanted) continue;
    changes.push({ responseType, origin: wanted });
    diffs.push({ field: `gateway response ${responseType}.Access-Control-Allow-Origin`, from: has, to: wanted });
  }
  return changes;
}

export async function applyCorsResponses(
  api: APIGatewayClient,
  restApiId: string,
  changes: readonly CorsResponseChange[],
): Promise<void> {
  for (const { responseType, origin } of changes) {
    if (origin === undefined) {
      await api.send(new DeleteGatewayResponseCommand({ restApiId, responseType })).catch(ifMissing(undefined));
    } else {
      await api.send(
        new PutGatewayResponseCommand({ restApiId, responseType, responseParameters: { [ALLOW_ORIGIN]: origin } }),
      );
    }
  }
}
