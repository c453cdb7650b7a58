// Request/response validation. The model describes ONE instance and ONE prediction; the
// runtime wraps them in the envelope schemas and compiles everything once at start-up.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CsvRows } from './csv-rows.js';
import { RuntimeError } from './errors.js';
import { isDraft07Schema } from './meta-schema-validator.generated.js';
import type { JsonSchema, ModelDefinition } from './types.js';

// ajv-formats is CommonJS; under ESM its plugin sits on .default or is the module itself.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

export interface EnvelopeSchemas {
  request: JsonSchema;
  response: JsonSchema;
}

/** `{"instances": [1..maxInstances of instanceSchema]}` -> `{"predictions": [predictionSchema...]}`. */
export function envelopeSchemas(model: ModelDefinition, maxInstances: number): EnvelopeSchemas {
  return {
    request: {
      type: 'object',
      required: ['instances'],
      additionalProperties: false,
      properties: {
        instances: { type: 'array', minItems: 1, maxItems: maxInstances, items: model.instanceSchema },
      },
    },
    response: {
      type: 'object',
      required: ['predictions'],
      properties: {
        predictions: { type: 'array', items: model.predictionSchema },
        source: { enum: ['model', 'fallback'] },
      },
    },
  };
}

export interface Validators {
  schemas: EnvelopeSchemas;
  /** Validates a parsed request body; throws MS_RUNTIME_INVALID_INPUT naming the field. */
  request(body: unknown): asserts body is { instances: unknown[] };
  /** Checks the model's answers; returns a description of the first problem, or undefined. */
  predictions(predictions: unknown, count: number): string | undefined;
}

function compile(ajv: Ajv, schema: JsonSchema, which: string, model: string): ValidateFunction {
  try {
    if (!isDraft07Schema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(isDraft07Schema.errors)}`);
    return ajv.compile(schema);
  } catch (err) {
    throw new RuntimeError(
      'MS_RUNTIME_SCHEMA_COMPILE_FAILED',
      { which, model, detail: err instanceof Error ? err.message : String(err) },
      { cause: err },
    );
  }
}

/** Compiles the model's schemas once; throws MS_RUNTIME_SCHEMA_COMPILE_FAILED naming the schema. */
export function createValidators(model: ModelDefinition, maxInstances: number): Validators {
  // strict off so users' schemas may carry extra keywords; strictNumbers on so NaN/Infinity (1e999) never pass as numbers.
  // validateSchema off: compile() checks each schema against the meta-schema with the precompiled
  // validator instead, so the meta-schema is not compiled at every start.
  const ajv = new Ajv({
    allErrors: false,
    strict: false,
    strictNumbers: true,
    coerceTypes: false,
    useDefaults: false,
    validateSchema: false,
  });
  addFormats(ajv);
  const schemas = envelopeSchemas(model, maxInstances);
  const request = compile(ajv, schemas.request, 'instance', model.name);
  const prediction = compile(ajv, { type: 'array', items: model.predictionSchema }, 'prediction', model.name);
  return {
    schemas,
    request(body: unknown): asserts body is { instances: unknown[] } {
      if (!request(body)) throw inputError(request.errors?.[0]);
    },
    predictions(predictions: unknown, count: number): string | undefined {
      if (!Array.isArray(predictions)) return `predict returned ${typeof predictions}, not an array`;
      if (predictions.length !== count) {
        return `predict returned ${predictions.length} predictions for ${count} instances`;
      }
      if (prediction(predictions)) return undefined;
      const error = prediction.errors?.[0];
      return error ? `${fieldName(error.instancePath, 'predictions')} ${error.message ?? 'is invalid'}` : 'invalid';
    },
  };
}

/** "/instances/0/sepal" -> "instances[0].sepal" */
export function fieldName(pointer: string, root = ''): string {
  let out = root;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out === '' ? 'body' : out;
}

function inputError(error: ErrorObject | undefined): RuntimeError {
  if (!error)
    return new RuntimeError('MS_RUNTIME_INVALID_INPUT', { field: 'body', problem: 'is invalid' }, { path: '' });
  let pointer = error.instancePath;
  let problem = error.message ?? 'is invalid';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    pointer = `${pointer}/${String(params.missingProperty)}`;
    problem = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer = `${pointer}/${String(params.additionalProperty)}`;
    problem = 'is not allowed';
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    problem = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (pointer === '' && error.keyword === 'type') {
    problem = 'must be an object like {"instances": [...]}';
  }
  return new RuntimeError('MS_RUNTIME_INVALID_INPUT', { field: fieldName(pointer), problem }, { path: pointer });
}

/** application/json, text/csv, or undefined for anything else. */
export function mediaType(header: string | undefined): 'json' | 'csv' | undefined {
  if (header === undefined || header === '') return 'json';
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'text/csv') return 'csv';
  return undefined;
}

export function parseJson(body: Buffer | string): unknown {
  try {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Some Windows tools prefix a UTF-8 byte order mark; JSON.parse refuses it.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.slice(0, 120) : 'parse error';
    throw new RuntimeError('MS_RUNTIME_INVALID_JSON', { detail }, { path: '' });
  }
}

/**
 * Splits a CSV body into rows of cells (RFC 4180 quoting; CRLF or LF; blank lines skipped)
 * and maps each row through model.fromCsvRow into `{"instances": [...]}`.
 */
export function parseCsv(
  body: Buffer | string,
  fromCsvRow: (cells: string[]) => unknown,
  maxRows = Infinity,
): { instances: unknown[] } {
  return csvInstances(
    new CsvRows(maxRows).push(typeof body === 'string' ? body : body.toString('utf8')).end(),
    fromCsvRow,
  );
}

/** Maps rows of cells through model.fromCsvRow; a row it refuses is MS_RUNTIME_INVALID_CSV naming the row. */
export function csvInstances(rows: string[][], fromCsvRow: (cells: string[]) => unknown): { instances: unknown[] } {
  const instances: unknown[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    try {
      instances[i] = fromCsvRow(rows[i]!);
    } catch (err) {
      throw new RuntimeError(
        'MS_RUNTIME_INVALID_CSV',
        { row: i + 1, detail: err instanceof Error ? err.message : String(err) },
        { path: `/instances/${i}` },
      );
    }
  }
  return { instances };
}
