/**
 * `GET /docs`: the API reference, rendered on the server from the same OpenAPI
 * document `/openapi.json` serves. No script and nothing from another site.
 */
import { esc, layout } from '../kit/markup.js';
import { html, PAGE_ROUTE, type Page } from '../kit/page.js';

type Obj = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function anchor(method: string, path: string): string {
  return `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function schemaBlock(schema: unknown): string {
  if (!isObj(schema) || Object.keys(schema).length === 0) return '';
  return `<details><summary>Schema</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`;
}

function parameters(params: unknown): string {
  if (!Array.isArray(params) || params.length === 0) return '';
  const rows = params
    .filter(isObj)
    .map((p) => {
      const schema = isObj(p.schema) ? p.schema : {};
      return `<tr><td><code>${esc(str(p.name))}</code></td><td>${esc(str(p.in))}</td><td>${esc(str(schema.type))}</td><td>${p.required ? 'yes' : 'no'}</td><td>${esc(str(p.description))}</td></tr>`;
    })
    .join('');
  return `<h3>Parameters</h3><table><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function requestBody(body: unknown): string {
  if (!isObj(body) || !isObj(body.content)) return '';
  const types = Object.keys(body.content);
  const first = body.content[types[0] ?? ''];
  return (
    `<h3>Request body</h3><p>${types.map((t) => `<code>${esc(t)}</code>`).join(', ')}</p>` +
    schemaBlock(isObj(first) ? first.schema : undefined)
  );
}

function responses(res: unknown): string {
  if (!isObj(res)) return '';
  const items = Object.entries(res)
    .map(([status, r]) => {
      const o = isObj(r) ? r : {};
      const content = isObj(o.content) ? o.content : {};
      const first = Object.values(content)[0];
      return `<li><strong>${esc(status)}</strong> ${esc(str(o.description))}${schemaBlock(isObj(first) ? first.schema : undefined)}</li>`;
    })
    .join('');
  return `<h3>Responses</h3><ul>${items}</ul>`;
}

/** The reference page of an OpenAPI 3 document. */
export function docsPage(doc: unknown): string {
  const d = isObj(doc) ? doc : {};
  const info = isObj(d.info) ? d.info : {};
  const paths = isObj(d.paths) ? d.paths : {};
  const ops: Array<{ method: string; path: string; op: Obj }> = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObj(op)) ops.push({ method, path, op });
    }
  }
  const toc = ops
    .map(
      ({ method, path, op }) =>
        `<li><a href="#${anchor(method, path)}">${method.toUpperCase()} ${esc(path)}</a>${op.summary ? ` - ${esc(str(op.summary))}` : ''}</li>`,
    )
    .join('');
  const sections = ops
    .map(({ method, path, op }) => {
      const security = Array.isArray(op.security)
        ? op.security
            .filter(isObj)
            .flatMap((s) => Object.keys(s))
            .join(', ')
        : '';
      return (
        `<section class="op" id="${anchor(method, path)}" aria-labelledby="${anchor(method, path)}-h">` +
        `<h2 id="${anchor(method, path)}-h"><span class="method">${method.toUpperCase()}</span><code>${esc(path)}</code></h2>` +
        (op.summary ? `<p><strong>${esc(str(op.summary))}</strong></p>` : '') +
        (op.description ? `<p>${esc(str(op.description))}</p>` : '') +
        (security ? `<p>Authentication: ${esc(security)}</p>` : '') +
        parameters(op.parameters) +
        requestBody(op.requestBody) +
        responses(op.responses) +
        '</section>'
      );
    })
    .join('');
  const body =
    `<h1>${esc(str(info.title) || 'API reference')}</h1>` +
    (info.description ? `<p>${esc(str(info.description))}</p>` : '') +
    `<p>Version ${esc(str(info.version))}. The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(str(d.openapi))}).</p>` +
    `<nav aria-label="Operations"><h2>Operations</h2><ul class="toc">${toc}</ul></nav>` +
    sections;
  return layout({ title: 'API reference', body, wide: true });
}

/** `GET /docs`: the API reference, from the OpenAPI document the API serves. */
export const docsPages: Page = (app) => {
  app.get('/docs', PAGE_ROUTE, async (_request, reply) => html(reply, 200, docsPage(app.swagger())));
};
