// The audit view: the entries of a request (GET /audit?request=ID), or every entry, and the
// hash chain's verification (GET /audit/verify), for the roles that may read them. The request
// is in the query string (`request`). Notes and names are put in the page as text only.
import { ApiError, getJSON } from './api.js';
import { currentUser, may, renderNav } from './nav.js';

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const utc = (iso) => `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}`;
const short = (hash) => (hash ? `${hash.replace('sha256:', '').slice(0, 12)}…` : '—');

async function showVerification() {
  const box = $('verify-status');
  try {
    const v = await getJSON('/audit/verify');
    $('verify').className = `verify ${v.ok ? 'ok' : 'broken'}`;
    const parts = [el('strong', '', v.ok ? '✓ Verified' : '✗ Broken')];
    parts.push(
      el('span', '', v.ok
        ? ` — ${v.entries} entries, every hash and link checks out.`
        : ` — ${v.breaks.length} break${v.breaks.length === 1 ? '' : 's'} in ${v.entries} entries.`),
    );
    const head = el('span', 'head', `Head: #${v.head_seq ?? '—'} ${v.head_hash ?? ''}`);
    head.title = 'Keep this head hash elsewhere to catch a rewritten chain later';
    parts.push(head);
    const breaks = el('ul', 'breaks');
    for (const b of v.breaks) breaks.append(el('li', '', `#${b.seq}: ${b.reason}`));
    box.className = '';
    box.replaceChildren(...parts, ...(v.breaks.length ? [breaks] : []));
  } catch (err) {
    box.className = 'error';
    box.textContent = err.message;
  }
}

function detailCell(entry) {
  const td = el('td', 'detail');
  for (const [key, value] of Object.entries(entry.detail ?? {})) {
    const line = el('div', key === 'note' ? 'note-line' : '');
    line.append(el('span', 'key', `${key}: `), el('span', key === 'note' ? 'note-text' : '', typeof value === 'string' ? value : JSON.stringify(value)));
    td.append(line);
  }
  return td;
}

async function showEntries(request) {
  $('request-error').textContent = '';
  $('request').removeAttribute('aria-invalid');
  const body = $('entries-body');
  let doc;
  try {
    doc = await getJSON('/audit', request ? { request, limit: 1000 } : { limit: 1000 });
  } catch (err) {
    const field = err instanceof ApiError && err.status === 422 ? $('request-error') : null;
    if (field) {
      field.textContent = err.message;
      $('request').setAttribute('aria-invalid', 'true');
    }
    body.replaceChildren(row([el('td', 'error', err.message)]));
    document.documentElement.dataset.entries = 'error';
    return;
  }
  $('entries-title').textContent = request ? `Entries of ${request}` : 'Entries';
  const rows = doc.entries.map((e) => {
    const tr = el('tr');
    tr.dataset.seq = e.seq;
    tr.dataset.action = e.action;
    const req = el('td', 'mono');
    if (e.request_id) {
      const a = el('a', '', e.request_id);
      a.href = `/requests?state=all&selected=${encodeURIComponent(e.request_id)}`;
      req.append(a);
    } else req.textContent = '—';
    const hash = el('td', 'mono hash', short(e.hash));
    hash.title = `${e.hash}\nprevious: ${e.prev_hash}`;
    tr.append(el('td', 'num', e.seq), el('td', 'num', utc(e.at)), el('td', '', e.actor), el('td', 'action', e.action), req, detailCell(e), hash);
    return tr;
  });
  body.replaceChildren(...(rows.length ? rows : [row([el('td', 'hint', request ? 'No entries for this request.' : 'No entries.')])]));
  document.documentElement.dataset.entries = `${request ?? ''}:${doc.entries.length}`;
}

function row(cells) {
  const tr = el('tr');
  cells[0].colSpan = 7;
  tr.append(...cells);
  return tr;
}

async function start() {
  renderNav();
  const who = await currentUser().catch(() => null);
  if (!may(who, 'audit.read')) {
    $('signed-out').hidden = false;
    if (who) $('signed-out').textContent = `Your role (${who.role}) does not read the audit log: it is for approvers and admins.`;
    $('verify').hidden = true;
    $('filter').hidden = true;
    document.documentElement.dataset.entries = 'none';
    return;
  }
  const read = () => new URLSearchParams(window.location.search).get('request')?.trim() || null;
  $('request').value = read() ?? '';
  $('filter').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('request').value.trim();
    const url = value ? `${window.location.pathname}?request=${encodeURIComponent(value)}` : window.location.pathname;
    window.history.pushState(null, '', url);
    showEntries(value || null);
  });
  window.addEventListener('popstate', () => {
    $('request').value = read() ?? '';
    showEntries(read());
  });
  await Promise.all([showVerification(), showEntries(read())]);
}

start();
