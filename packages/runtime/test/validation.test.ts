// Envelope schemas, error naming, media types and the CSV reader.
import { describe, expect, it } from '@jest/globals';
import { RuntimeError } from '../src/errors.js';
import { createValidators, fieldName, mediaType, parseCsv, parseJson } from '../src/validation.js';
import { modelSum } from './fixtures/model-sum.js';

function thrown(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (err) {
    return err as RuntimeError;
  }
  throw new Error('expected a throw');
}

describe('validation', () => {
  const v = createValidators(modelSum().model, 2);

  it('wraps the instance schema in {"instances": [1..maxInstances]}', () => {
    expect(v.schemas.request).toMatchObject({
      required: ['instances'],
      properties: { instances: { minItems: 1, maxItems: 2, items: modelSum().model.instanceSchema } },
    });
    expect(() => v.request({ instances: [[1, 2, 3, 4]] })).not.toThrow();
  });

  it('names the first bad field with a JSON pointer', () => {
    const e = thrown(() => v.request({ instances: [[1, 2, 3]] }));
    expect(e.code).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(e.path).toBe('/instances/0');
    expect(e.message).toBe('instances[0] must NOT have fewer than 4 items');
    expect(thrown(() => v.request([1])).message).toBe('body must be an object like {"instances": [...]}');
  });

  it('checks predictions: count, then the prediction schema', () => {
    expect(v.predictions([{ label: 'small', sum: 1 }], 1)).toBeUndefined();
    expect(v.predictions([], 1)).toBe('predict returned 0 predictions for 1 instances');
    expect(v.predictions('nope', 1)).toBe('predict returned string, not an array');
    expect(v.predictions([{ label: 'tiny', sum: 1 }], 1)).toBe(
      'predictions[0].label must be equal to one of the allowed values',
    );
  });

  it('fieldName turns pointers into readable paths', () => {
    expect(fieldName('/instances/0/sepal')).toBe('instances[0].sepal');
    expect(fieldName('/a~1b/3')).toBe('a/b[3]');
    expect(fieldName('')).toBe('body');
  });

  it('mediaType accepts JSON (with parameters and +json) and CSV only', () => {
    expect(mediaType('application/json; charset=utf-8')).toBe('json');
    expect(mediaType('application/vnd.api+json')).toBe('json');
    expect(mediaType('TEXT/CSV')).toBe('csv');
    expect(mediaType(undefined)).toBe('json');
    expect(mediaType('application/x-www-form-urlencoded')).toBeUndefined();
  });

  it('parseJson throws MS_RUNTIME_INVALID_JSON', () => {
    expect(thrown(() => parseJson('{')).code).toBe('MS_RUNTIME_INVALID_JSON');
  });

  it('reads RFC 4180 CSV: quotes, escaped quotes, CRLF, blank lines', () => {
    const rows: string[][] = [];
    parseCsv('a,"b,c","d""e"\r\n\r\n1,,3\n', (cells) => rows.push(cells));
    expect(rows).toEqual([
      ['a', 'b,c', 'd"e'],
      ['1', '', '3'],
    ]);
    expect(thrown(() => parseCsv('"open', (c) => c)).code).toBe('MS_RUNTIME_INVALID_CSV');
  });
});
