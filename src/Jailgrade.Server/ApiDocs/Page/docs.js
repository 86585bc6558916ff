// The /docs page: reads /openapi/v1.json from this server and lists every route with its
// parameters, body and responses. Text goes in with textContent only (never parsed as HTML), so nothing in
// the document can become markup; the page runs under the server's CSP (script-src 'self').
'use strict';

(function () {
  const methods = ['get', 'post', 'put', 'patch', 'delete'];

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function resolve(doc, schema) {
    let seen = 0;
    while (schema && schema.$ref && seen++ < 10) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      schema = (doc.components && doc.components.schemas && doc.components.schemas[name]) || {};
    }
    return schema || {};
  }

  function refName(schema) {
    return schema && schema.$ref ? schema.$ref.replace('#/components/schemas/', '') : null;
  }

  // A schema as indented text: "object { id: string (uuid), name: string }".
  function describe(doc, schema, depth) {
    const name = refName(schema);
    const s = resolve(doc, schema);
    const pad = '  '.repeat(depth);
    const types = Array.isArray(s.type) ? s.type : (s.type ? [s.type] : []);
    const nullable = types.includes('null') ? ' | null' : '';
    const type = types.filter(t => t !== 'null')[0];
    if (s.enum) return s.enum.map(v => JSON.stringify(v)).join(' | ') + nullable;
    if (type === 'array') return 'array of ' + describe(doc, s.items || {}, depth) + nullable;
    if (type === 'object' || s.properties) {
      if (depth > 3) return (name || 'object') + nullable;
      const props = s.properties || {};
      const required = new Set(s.required || []);
      const lines = Object.keys(props).map(key =>
        pad + '  ' + key + (required.has(key) ? '' : '?') + ': ' + describe(doc, props[key], depth + 1));
      const head = (name ? name + ' ' : '') + '{';
      return lines.length === 0 ? (name || 'object') + nullable : head + '\n' + lines.join('\n') + '\n' + pad + '}' + nullable;
    }
    if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map(x => describe(doc, x, depth)).join(' | ');
    if (!type) return name || 'any';
    return type + (s.format ? ' (' + s.format + ')' : '') + nullable;
  }

  function content(doc, container, bodyContent) {
    for (const mediaType of Object.keys(bodyContent || {})) {
      const media = bodyContent[mediaType];
      container.appendChild(el('pre', mediaType + (media.schema ? ': ' + describe(doc, media.schema, 0) : '')));
    }
  }

  function operation(doc, path, method, op) {
    const section = el('section', null, 'operation');
    section.id = op.operationId || (method + ' ' + path);
    const heading = el('h3');
    heading.appendChild(el('span', method.toUpperCase(), 'method method-' + method));
    heading.appendChild(el('span', path, 'path'));
    const open = !op.security || op.security.length === 0;
    heading.appendChild(el('span', open ? 'open' : 'needs a key', 'access'));
    section.appendChild(heading);
    if (op.operationId) section.appendChild(el('p', op.operationId, 'name'));
    if (op.summary) section.appendChild(el('p', op.summary));
    if (op.description) section.appendChild(el('p', op.description));

    const parameters = op.parameters || [];
    if (parameters.length > 0) {
      section.appendChild(el('p', 'Parameters', 'label'));
      const table = el('table');
      const head = el('tr');
      ['name', 'in', 'required', 'type'].forEach(h => head.appendChild(el('th', h)));
      table.appendChild(head);
      for (const parameter of parameters) {
        const row = el('tr', null, 'parameter');
        row.appendChild(el('td', parameter.name));
        row.appendChild(el('td', parameter.in));
        row.appendChild(el('td', parameter.required ? 'yes' : 'no'));
        row.appendChild(el('td', parameter.schema ? describe(doc, parameter.schema, 0) : ''));
        table.appendChild(row);
      }
      section.appendChild(table);
    }

    if (op.requestBody) {
      section.appendChild(el('p', 'Body' + (op.requestBody.required ? '' : ' (optional)'), 'label'));
      content(doc, section, op.requestBody.content);
    }

    section.appendChild(el('p', 'Responses', 'label'));
    const responses = el('table', null, 'responses');
    for (const status of Object.keys(op.responses || {}).sort()) {
      const response = op.responses[status];
      const row = el('tr', null, 'response');
      row.appendChild(el('td', status, 'status'));
      const cell = el('td');
      cell.appendChild(el('span', response.description || ''));
      content(doc, cell, response.content);
      row.appendChild(cell);
      responses.appendChild(row);
    }
    section.appendChild(responses);
    return section;
  }

  function render(doc) {
    document.getElementById('title').textContent = (doc.info && doc.info.title) || 'API';
    const summary = document.getElementById('summary');
    summary.textContent = '';
    if (doc.info && doc.info.description) summary.appendChild(el('span', doc.info.description + ' '));
    summary.appendChild(el('span', 'Version ' + ((doc.info && doc.info.version) || '?') + '; the document itself: '));
    const link = el('a', '/openapi/v1.json');
    link.href = '/openapi/v1.json';
    summary.appendChild(link);

    // Group by each operation's first tag, in order of first appearance.
    const groups = new Map();
    for (const path of Object.keys(doc.paths || {})) {
      for (const method of methods) {
        const op = doc.paths[path][method];
        if (!op) continue;
        const tag = (op.tags && op.tags[0] && op.tags[0].name) || (op.tags && op.tags[0]) || 'Other';
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push({ path, method, op });
      }
    }

    const toc = el('ul');
    const main = document.getElementById('operations');
    for (const [tag, operations] of groups) {
      main.appendChild(el('h2', tag));
      for (const { path, method, op } of operations) {
        const section = operation(doc, path, method, op);
        main.appendChild(section);
        const item = el('li');
        const link = el('a', method.toUpperCase() + ' ' + path);
        link.href = '#' + section.id;
        item.appendChild(link);
        toc.appendChild(item);
      }
    }
    document.getElementById('toc').appendChild(toc);
  }

  async function load() {
    try {
      const response = await fetch('/openapi/v1.json', { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error('/openapi/v1.json answered ' + response.status);
      render(await response.json());
    } catch (e) {
      const summary = document.getElementById('summary');
      summary.textContent = 'Could not read the API description: ' + e.message;
      summary.className = 'error';
    } finally {
      document.body.dataset.ready = 'true';
    }
  }

  load();
})();
