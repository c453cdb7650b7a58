// A stateful in-memory Secrets Manager behind aws-sdk-client-mock, answering with the SDK's own
// exception classes: a secret created once per name, its value replaced, tagged, deleted (at once
// with ForceDeleteWithoutRecovery, otherwise scheduled, when the name stays taken).
import * as sm from '@aws-sdk/client-secrets-manager';
import { ACCOUNT, REGION } from './aws-context.js';

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-fake', attempts: 1, totalRetryDelay: 0 });

export const SECRETS_MUTATING = new Set([
  'CreateSecretCommand',
  'PutSecretValueCommand',
  'TagResourceCommand',
  'DeleteSecretCommand',
]);

export interface FakeSecret {
  arn: string;
  value: string;
  tags: Record<string, string>;
  deletedDate?: Date;
}

type Handler = (input: any) => unknown;

export class FakeSecretsManager {
  secrets = new Map<string, FakeSecret>();

  private secret(id: string): FakeSecret {
    const s = this.secrets.get(id) ?? [...this.secrets.values()].find((x) => x.arn === id);
    if (!s)
      throw new sm.ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: meta(400),
      });
    return s;
  }

  private live(id: string): FakeSecret {
    const s = this.secret(id);
    if (s.deletedDate)
      throw new sm.InvalidRequestException({
        message: "You can't perform this operation on the secret because it was marked for deletion.",
        $metadata: meta(400),
      });
    return s;
  }

  handlers(): [new (input: any) => unknown, Handler, boolean][] {
    return [
      [
        sm.DescribeSecretCommand,
        (i) => {
          const s = this.secret(i.SecretId);
          return {
            ARN: s.arn,
            Name: i.SecretId,
            Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
            DeletedDate: s.deletedDate,
          };
        },
        false,
      ],
      [
        sm.GetSecretValueCommand,
        (i) => ({ ARN: this.live(i.SecretId).arn, SecretString: this.live(i.SecretId).value }),
        false,
      ],
      [
        sm.CreateSecretCommand,
        (i) => {
          const existing = this.secrets.get(i.Name);
          if (existing?.deletedDate)
            throw new sm.InvalidRequestException({
              message:
                "You can't create this secret because a secret with this name is already scheduled for deletion.",
              $metadata: meta(400),
            });
          if (existing)
            throw new sm.ResourceExistsException({
              message: `The operation failed because the secret ${i.Name} already exists.`,
              $metadata: meta(400),
            });
          const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${i.Name}-AbCdEf`;
          const tags = Object.fromEntries((i.Tags ?? []).map((t: sm.Tag) => [t.Key, t.Value]));
          this.secrets.set(i.Name, { arn, value: i.SecretString, tags });
          return { ARN: arn, Name: i.Name };
        },
        true,
      ],
      [
        sm.PutSecretValueCommand,
        (i) => {
          const s = this.live(i.SecretId);
          s.value = i.SecretString;
          return { ARN: s.arn };
        },
        true,
      ],
      [
        sm.TagResourceCommand,
        (i) => {
          const s = this.live(i.SecretId);
          for (const t of i.Tags ?? []) s.tags[t.Key] = t.Value;
          return {};
        },
        true,
      ],
      [
        sm.DeleteSecretCommand,
        (i) => {
          const s = this.secret(i.SecretId);
          if (i.ForceDeleteWithoutRecovery) {
            for (const [name, x] of this.secrets) if (x === s) this.secrets.delete(name);
          } else s.deletedDate = new Date();
          return { ARN: s.arn };
        },
        true,
      ],
    ];
  }
}
