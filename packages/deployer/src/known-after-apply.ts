// The placeholder `plan` uses for an output that only exists after an apply
// (e.g. the id of a user pool still to be created), and a reader that treats it
// as unknown so modules can fall back to a deterministic value.
export const KNOWN_AFTER_APPLY = '(known after apply)';

export function known(value: string | undefined): string | undefined {
  return value === undefined || value === KNOWN_AFTER_APPLY ? undefined : value;
}
