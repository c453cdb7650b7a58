// CSV text -> rows of cells (RFC 4180 quoting; CRLF or LF; blank lines skipped), fed in pieces
// so a large body can be split a slice at a time between other requests, and stopped as soon as
// a row past the instance limit begins instead of converting the whole body first.
import { StringDecoder } from 'node:string_decoder';
import { RuntimeError } from './errors.js';

/** The refusal of a body with more instances than allowed, worded as the envelope schema's. */
export function tooManyInstances(maxInstances: number): RuntimeError {
  return new RuntimeError(
    'MS_RUNTIME_INVALID_INPUT',
    { field: 'instances', problem: `must NOT have more than ${maxInstances} items` },
    { path: '/instances' },
  );
}

export class CsvRows {
  readonly rows: string[][] = [];
  #row: string[] = [];
  #cell = '';
  #quoted = false;
  /** A `"` ended the previous piece inside quotes: it is either the closing quote or half of `""`. */
  #quotePending = false;
  readonly #maxRows: number;

  constructor(maxRows = Infinity) {
    this.#maxRows = maxRows;
  }

  /** Splits one more piece of the text; throws MS_RUNTIME_INVALID_INPUT when row maxRows + 1 begins. */
  push(text: string): this {
    let i = 0;
    if (this.#quotePending) {
      this.#quotePending = false;
      if (text[0] === '"') {
        this.#cell += '"';
        i = 1;
      } else this.#quoted = false;
    }
    const n = text.length;
    while (i < n) {
      const ch = text[i]!;
      if (this.#quoted) {
        if (ch === '"') {
          if (i + 1 === n) this.#quotePending = true;
          else if (text[i + 1] === '"') {
            this.#cell += '"';
            i += 1;
          } else this.#quoted = false;
        } else this.#cell += ch;
      } else if (ch === '"' && this.#cell === '') this.#quoted = true;
      else if (ch === ',') {
        this.#row.push(this.#cell);
        this.#cell = '';
      } else if (ch === '\n') this.#pushRow();
      else if (ch !== '\r') this.#cell += ch;
      i += 1;
    }
    return this;
  }

  /** Ends the text; throws MS_RUNTIME_INVALID_CSV on an unterminated quote. Returns the rows. */
  end(): string[][] {
    if (this.#quotePending) {
      this.#quotePending = false;
      this.#quoted = false;
    }
    if (this.#quoted)
      throw new RuntimeError('MS_RUNTIME_INVALID_CSV', { row: this.rows.length + 1, detail: 'unterminated quote' });
    if (this.#cell !== '' || this.#row.length > 0) this.#pushRow();
    return this.rows;
  }

  #pushRow(): void {
    const row = this.#row;
    row.push(this.#cell);
    this.#cell = '';
    this.#row = [];
    if (row.length > 1 || row[0] !== '') {
      // Before converting anything: a body over the instance limit is refused, not read to its end.
      if (this.rows.length === this.#maxRows) throw tooManyInstances(this.#maxRows);
      this.rows.push(row);
    }
  }
}

/** Characters split between two turns of the event loop: ~1 ms of work, so /ping never waits long behind a body. */
const SLICE_BYTES = 64 * 1024;

/**
 * Splits a large CSV body a slice at a time, yielding to the event loop between slices; stops
 * (MS_RUNTIME_INVALID_INPUT) as soon as row maxRows + 1 begins, without decoding the rest.
 */
export async function csvRowsInSlices(body: Buffer, maxRows: number): Promise<string[][]> {
  const decoder = new StringDecoder('utf8');
  const rows = new CsvRows(maxRows);
  for (let at = 0; at < body.length; at += SLICE_BYTES) {
    if (at > 0) await yieldToLoop();
    rows.push(decoder.write(body.subarray(at, at + SLICE_BYTES)));
  }
  return rows.push(decoder.end()).end();
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
