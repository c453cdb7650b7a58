// A deterministic generator of malformed requests for the reliability test: every category a
// careless or hostile client can send to /invocations. Seeded, so a failure replays exactly.

export type Category =
  | 'bad-json'
  | 'wrong-types'
  | 'huge-numbers'
  | 'nan-strings'
  | 'deep-nesting'
  | 'oversized-body'
  | 'wrong-content-type'
  | 'bad-csv'
  | 'odd-methods-and-paths'
  | 'bad-http';

export interface HttpCase {
  category: Category;
  kind: 'http';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

/** Bytes written straight to a TCP socket: broken HTTP that no client library would send. */
export interface RawCase {
  category: Category;
  kind: 'raw';
  bytes: Buffer;
}

export type MalformedCase = HttpCase | RawCase;

/** mulberry32: a tiny seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSON_CT = { 'content-type': 'application/json' };
const CSV_CT = { 'content-type': 'text/csv' };
const GOOD_ROW = [5.1, 3.5, 1.4, 0.2];
const GOOD = JSON.stringify({ instances: [GOOD_ROW] });

/** Builds `count` cases per category from `seed` (oversized bodies and raw sockets fewer: they are slow). */
export function generateMalformed(seed: number, sizes: Record<Category, number>): MalformedCase[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const post = (category: Category, body: string | Buffer, headers: Record<string, string> = JSON_CT): HttpCase => ({
    category,
    kind: 'http',
    method: 'POST',
    path: pick(['/invocations', '/endpoints/iris/invocations']),
    headers,
    body,
  });
  const out: MalformedCase[] = [];
  const add = (category: Category, make: () => MalformedCase) => {
    for (let i = 0; i < sizes[category]; i += 1) out.push(make());
  };

  add('bad-json', () => {
    const cut = GOOD.slice(0, int(GOOD.length - 1));
    return post(
      'bad-json',
      pick([
        cut,
        `${GOOD}}`,
        `${GOOD},`,
        GOOD.replace(/"/g, "'"),
        `// comment\n${GOOD}`,
        '{"instances": [[5.1, 3.5, 1.4, 0.2],]}',
        '{"instances": [[NaN, 3.5, 1.4, 0.2]]}',
        '{"instances": [[Infinity, 3.5, 1.4, 0.2]]}',
        '{"instances": [[5.1 3.5 1.4 0.2]]}',
        '{instances: [[5.1, 3.5, 1.4, 0.2]]}',
        '{"instances": [[05.1, 3.5, 1.4, 0.2]]}',
        '{"instances": [[.5, 3.5, 1.4, 0.2]]}',
        '{"instances": [[0x1F, 3.5, 1.4, 0.2]]}',
        '',
        ' ',
        'null null',
        'undefined',
        '{"a":"\\uZZZZ"}',
        '"unterminated',
        Buffer.from(Array.from({ length: 1 + int(200) }, () => int(256))),
        Buffer.from([0xff, 0xfe, 0x7b, 0x00]),
      ]),
    );
  });

  add('wrong-types', () => {
    const value = pick<unknown>(['5.1', true, null, {}, [], [[]], { x: 1 }, 'a', [1, 2]]);
    const row = [...GOOD_ROW] as unknown[];
    row[int(4)] = value;
    const body = pick<unknown>([
      { instances: [row] },
      { instances: row },
      { instances: JSON.stringify([GOOD_ROW]) },
      { instances: 42 },
      { instances: null },
      { instances: { 0: GOOD_ROW } },
      { instances: [GOOD_ROW], extra: 1 },
      { Instances: [GOOD_ROW] },
      { inputs: [GOOD_ROW] },
      { instances: [GOOD_ROW.slice(0, int(4))] },
      { instances: [[...GOOD_ROW, 1]] },
      { instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] },
      { instances: [GOOD_ROW, 'row'] },
      { __proto__: { instances: [GOOD_ROW] } },
      [GOOD_ROW],
      'instances',
      12,
      null,
      true,
    ]);
    const text = JSON.stringify(body);
    return post('wrong-types', text === GOOD ? '{"constructor":{"prototype":{"instances":1}}}' : text);
  });

  add('huge-numbers', () => {
    const big = pick([
      '1e308',
      '-1e308',
      '1e309',
      '-1e309',
      '123456789012345678901234567890',
      '9'.repeat(400),
      `-0.${'1'.repeat(2000)}`,
      `1${'0'.repeat(400)}`,
      '-0.0000001',
      '101',
      '-1',
      '100.0000001',
    ]);
    const row = GOOD_ROW.map(String);
    row[int(4)] = big;
    if (rand() < 0.2) {
      // Too many rows: the 64-row limit.
      const n = pick([65, 100, 1000, 5000]);
      return post(
        'huge-numbers',
        `{"instances":[${Array.from({ length: n }, () => `[${GOOD_ROW.join(',')}]`).join(',')}]}`,
      );
    }
    return post('huge-numbers', `{"instances":[[${row.join(',')}]]}`);
  });

  add('nan-strings', () => {
    const s = pick([
      'NaN',
      'nan',
      'Infinity',
      '-Infinity',
      'inf',
      '1e999',
      '0x10',
      '',
      ' ',
      '1,5',
      '5.1cm',
      'null',
      'undefined',
      '٣',
      '１',
    ]);
    if (rand() < 0.5) {
      const row = GOOD_ROW.map(String);
      row[int(4)] = s;
      return post('nan-strings', `${row.join(',')}\n`, CSV_CT);
    }
    const row = [...GOOD_ROW] as unknown[];
    row[int(4)] = s;
    return post('nan-strings', JSON.stringify({ instances: [row] }));
  });

  add('deep-nesting', () => {
    const depth = pick([64, 1000, 10_000, 50_000]);
    const shape = int(4);
    let body: string;
    if (shape === 0) body = `{"instances":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    else if (shape === 1) body = `{"instances":[[5.1,3.5,1.4,${'['.repeat(depth)}0.2${']'.repeat(depth)}]]}`;
    else if (shape === 2) body = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    else body = `{"instances":[[5.1,3.5,1.4,${'['.repeat(depth)}`; // deep and unterminated
    return post('deep-nesting', body);
  });

  add('oversized-body', () => {
    // Over the runtime's 6 MiB default by 1 to 3 MiB, as JSON rows or CSV rows (built with repeat:
    // a regex over 9 MiB per case made this suite slow).
    const bytes = (7 + int(3)) * 1_048_576;
    const body =
      rand() < 0.5
        ? `{"instances":[${'[5.1,3.5,1.4,0.2],'.repeat(Math.ceil(bytes / 18))}[5.1,3.5,1.4,0.2]]}`
        : '5.1,3.5,1.4,0.2\n'.repeat(Math.ceil(bytes / 16));
    const c = post('oversized-body', body, rand() < 0.5 ? JSON_CT : CSV_CT);
    c.chunked = rand() < 0.5;
    return c;
  });

  add('wrong-content-type', () =>
    post('wrong-content-type', GOOD, {
      'content-type': pick([
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/jsonx',
        'application/json-seq',
        'text/csvx',
        'text/json',
        'image/png',
        '*/*',
        'application/',
        ';;;',
        'application/octet-stream',
        `application/${'x'.repeat(4000)}`,
      ]),
    }),
  );

  add('bad-csv', () =>
    post(
      'bad-csv',
      pick([
        '5.1,3.5,1.4\n',
        '5.1,3.5,1.4,0.2,9\n',
        '"5.1,3.5,1.4,0.2\n',
        '"5.1","3.5","1.4","0.2\n',
        'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n',
        '\n\n\n',
        '',
        ',,,\n',
        '5.1;3.5;1.4;0.2\n',
        '5.1\t3.5\t1.4\t0.2\n',
        `${'5.1,3.5,1.4,0.2\n'.repeat(65)}`,
        `${'5.1,3.5,1.4,0.2\r\n'.repeat(int(3))}a,b,c,d\r\n`,
        '5.1,3.5,1.4,0.2,"x""y"\n',
        `${','.repeat(5000)}\n`,
        '\u0000\u0001\u0002,1,2,3\n',
        '-5.1,3.5,1.4,0.2\n',
        '1e5,3.5,1.4,0.2\n',
      ]),
      pick([CSV_CT, { 'content-type': 'text/csv; charset=utf-8' }, { 'content-type': 'TEXT/CSV' }]),
    ),
  );

  add('odd-methods-and-paths', () => {
    const method = pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'PROPFIND', 'SEARCH', 'MKCOL']);
    const path = pick([
      '/invocations',
      '/ping',
      '/endpoints/iris/invocations',
      '/endpoints//invocations',
      `/endpoints/${'a'.repeat(3000)}/invocations`,
      '/metrics',
      '/openapi.json',
      '/docs',
      '/health/live',
      '/health/ready',
      '/',
      '/nope',
      '/invocations/',
      '/INVOCATIONS',
      '/invocations?x=1&x=2',
      '/%',
      '/%zz',
      '/invocations%00',
      '/..%2f..%2fetc%2fpasswd',
      '//invocations',
      '/invocations;jsessionid=1',
      '/ping?' + 'q'.repeat(6000),
    ]);
    const withBody = method !== 'GET' && method !== 'HEAD' && rand() < 0.7;
    return {
      category: 'odd-methods-and-paths' as const,
      kind: 'http' as const,
      method,
      path,
      headers: withBody ? { ...JSON_CT } : {},
      ...(withBody ? { body: pick([GOOD, '{', 'x'.repeat(2000)]) } : {}),
    };
  });

  add('bad-http', () => {
    const lines = pick([
      'GARBAGE\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n{}{}',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"instances"',
      'POST /invocations HTTP/9.9\r\nHost: a\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nNo colon here\r\n\r\n',
      'POST /invo cations HTTP/1.1\r\nHost: a\r\n\r\n',
      `POST /invocations HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /ping HTTP/1.1\r\n\r\n',
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: \u00ff\u00fe\r\nContent-Length: 2\r\n\r\n{}',
      '\u0000\u0001\u0002\u0003\r\n\r\n',
      'POST /invocations HTTP/1.0\r\nContent-Type: application/json\r\n\r\n{"instances": [[5.1, 3.5',
    ]);
    return { category: 'bad-http', kind: 'raw', bytes: Buffer.from(lines, 'latin1') };
  });

  return out;
}
