// The /docs page: one self-contained HTML document (no CDN, no external script) that
// renders the OpenAPI document embedded in it and lets a reader try /invocations.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderDocsPage(spec: Record<string, unknown>): string {
  const info = spec.info as { title: string; version: string; description?: string };
  // "<" escaped so the JSON cannot close the script element.
  const embedded = JSON.stringify(spec).replace(/</g, '\\u003c');
  const title = `${escapeHtml(info.title)} ${escapeHtml(info.version)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} - API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:0}.op{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.post{color:#1a7f37}.get{color:#0969da}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}textarea{width:100%;height:7rem;font-family:monospace}
code{background:#f6f8fa;padding:0 .25rem}
</style></head>
<body>
<h1>${title}</h1>
<p>${escapeHtml(info.description ?? '')} Machine-readable spec: <a href="/openapi.json">/openapi.json</a>.</p>
<div id="ops"></div>
<h2>Try it</h2>
<p>POST <code>/invocations</code> with <code>application/json</code>:</p>
<textarea id="body"></textarea>
<p><button id="send">Send</button></p>
<pre id="out">(answer appears here)</pre>
<h2>Schemas</h2>
<div id="schemas"></div>
<script type="application/json" id="spec">${embedded}</script>
<script>
(function () {
  var spec = JSON.parse(document.getElementById('spec').textContent);
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  var ops = document.getElementById('ops');
  Object.keys(spec.paths).forEach(function (path) {
    Object.keys(spec.paths[path]).forEach(function (method) {
      var op = spec.paths[path][method];
      var box = el('div', 'op');
      var head = el('div');
      head.appendChild(el('span', 'm ' + method, method.toUpperCase()));
      head.appendChild(el('code', '', path));
      head.appendChild(document.createTextNode(' ' + (op.summary || '')));
      box.appendChild(head);
      if (op.description) box.appendChild(el('p', '', op.description));
      var codes = Object.keys(op.responses || {}).map(function (c) { return c + ' ' + op.responses[c].description; });
      if (codes.length) box.appendChild(el('p', '', 'Responses: ' + codes.join('; ')));
      ops.appendChild(box);
    });
  });
  var schemas = document.getElementById('schemas');
  Object.keys(spec.components.schemas).forEach(function (name) {
    schemas.appendChild(el('h3', '', name));
    schemas.appendChild(el('pre', '', JSON.stringify(spec.components.schemas[name], null, 2)));
  });
  var req = spec.paths['/invocations'].post.requestBody.content['application/json'];
  document.getElementById('body').value = JSON.stringify(req.example || { instances: [] }, null, 2);
  document.getElementById('send').onclick = function () {
    var out = document.getElementById('out');
    out.textContent = '...';
    fetch('/invocations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: document.getElementById('body').value })
      .then(function (r) { return r.text().then(function (t) { out.textContent = r.status + ' ' + r.statusText + '\\n' + t; }); })
      .catch(function (e) { out.textContent = String(e); });
  };
})();
</script>
</body></html>
`;
}
