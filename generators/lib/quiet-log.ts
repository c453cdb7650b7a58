// Yeoman prints "✖ An error occured while running model-service:app#<task>" for any error a
// task throws, before the error itself reaches whoever ran the generator. Our errors already
// say what went wrong and what to do (and Ctrl-C at a prompt is no error), so that line is
// dropped; every other log line passes through unchanged.
const TASK_ERROR = /^An error occured while running /;

type Log = ((...args: unknown[]) => unknown) & { error(...args: unknown[]): unknown };

export function withoutTaskErrorLine<T extends Log>(log: T): T {
  return new Proxy(log, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'error') return value;
      return function error(this: unknown, ...args: unknown[]) {
        if (typeof args[0] === 'string' && TASK_ERROR.test(args[0])) return this;
        return (value as Log['error']).apply(this, args);
      };
    },
  });
}
