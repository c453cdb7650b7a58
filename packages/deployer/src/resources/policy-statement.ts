// One statement of an IAM policy document, as the deployer writes them (Allow only,
// named actions on named resources).
export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
