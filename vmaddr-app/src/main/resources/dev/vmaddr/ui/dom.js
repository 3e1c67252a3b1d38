// Small DOM helpers. Everything from the API goes in as text (textContent), never as HTML.

/** h('td', {class: 'x'}, 'text', childNode, ...): attributes are set as attributes, except on* (not allowed). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) throw new Error('use addEventListener, not ' + k);
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** An em dash for a missing value, so an empty cell is not mistaken for an unloaded one. */
export const orDash = v => (v === null || v === undefined || v === '' ? '—' : String(v));

/** A timestamp in the browser's zone plus how long ago, with the exact instant as the element's datetime. */
export function time(iso) {
  if (!iso) return h('span', {}, '—');
  const at = new Date(iso);
  return h('time', {datetime: iso, title: iso}, at.toLocaleString() + ' (' + ago(at) + ')');
}

export function ago(at) {
  const s = Math.round((Date.now() - at.getTime()) / 1000);
  if (Math.abs(s) < 60) return s >= 0 ? s + ' s ago' : 'in ' + -s + ' s';
  const m = Math.round(s / 60);
  if (Math.abs(m) < 120) return m >= 0 ? m + ' min ago' : 'in ' + -m + ' min';
  const hrs = Math.round(m / 60);
  return hrs >= 0 ? hrs + ' h ago' : 'in ' + -hrs + ' h';
}

/**
 * A table with a caption, in a region that scrolls sideways on a narrow window (focusable, so the
 * keyboard can scroll it too).
 */
export function table(caption, headers, rows, attrs) {
  const t = h('table', attrs || {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map(x => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, rows));
  return h('div', {class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption}, t);
}

export function code(text) {
  return h('code', {}, text);
}

/** A status line for the page: role=status so screen readers hear loads and errors. */
export function notice(text, kind) {
  return h('p', {class: 'notice ' + (kind || ''), role: kind === 'error' ? 'alert' : 'status'}, text);
}

export function heading(text, id) {
  return h('h1', {id: id || null, tabindex: '-1'}, text);
}

/** Shows a page with its parameters, kept in the hash so reload and Back work. */
export function go(page, params) {
  const q = params ? new URLSearchParams(params).toString() : '';
  const target = '#/' + page + (q ? '?' + q : '');
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}
