#include "api/ops_handlers.hpp"

namespace gatehouse::api {

std::string_view DocsPage() {
    // Self-contained on purpose: the control plane must not pull scripts from a CDN into an
    // operator's browser. It reads /openapi.json and lists every operation.
    static constexpr std::string_view kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gatehouse API</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #1d2430; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; font-size: 1.1rem; border-bottom: 1px solid #ccd; }
.op { display: grid; grid-template-columns: 5rem 1fr 6rem; gap: .5rem; padding: .35rem .5rem; border-radius: 4px; }
.op:nth-child(odd) { background: #f3f5f9; }
.method { font-weight: 700; font-family: monospace; } .path { font-family: monospace; }
.access { font-size: .8rem; color: #556; text-align: right; } .summary { grid-column: 2 / 4; color: #445; font-size: .9rem; }
.get { color: #0a6b3d; } .post { color: #1b4fb3; } .put, .patch { color: #8a5a00; } .delete { color: #a11; }
</style>
</head>
<body>
<h1 id="title">gatehouse API</h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="ops">Loading&hellip;</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('title').textContent = doc.info.title + ' API ' + doc.info.version;
  const groups = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      (groups[tag] = groups[tag] || []).push({path, method, op});
    }
  }
  const root = document.getElementById('ops');
  root.textContent = '';
  for (const tag of Object.keys(groups).sort()) {
    const h = document.createElement('h2'); h.textContent = tag; root.appendChild(h);
    const list = document.createElement('div');
    for (const {path, method, op} of groups[tag]) {
      const row = document.createElement('div'); row.className = 'op';
      const m = document.createElement('span'); m.className = 'method ' + method; m.textContent = method.toUpperCase();
      const p = document.createElement('span'); p.className = 'path'; p.textContent = path;
      const a = document.createElement('span'); a.className = 'access'; a.textContent = op['x-access'] || '';
      const s = document.createElement('span'); s.className = 'summary'; s.textContent = op.summary || '';
      row.append(m, p, a, s); list.appendChild(row);
    }
    root.appendChild(list);
  }
}).catch(e => { document.getElementById('ops').textContent = 'Could not load /openapi.json: ' + e; });
</script>
</body>
</html>
)HTML";
    return kPage;
}

}  // namespace gatehouse::api
