// The audit view: the entries of a request (GET /audit?request=ID), or every entry, newest first
// in pages of PAGE, and the hash chain's verification (GET /audit/verify), for the roles that may
// read them. The request and the page (`before`: entries before this sequence number) are in the
// query string. Notes and names are put in the page as text only.
import { ApiError, getJSON } from './api.js';
import { currentUser, may, renderNav } from './nav.js';

const $ = (id) => document.getElementById(id);
const PAGE = 100;

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

// `/audit?request=..&before=..` for the view's state (empty parts left out).
function viewURL({ request, before }) {
  const q = new URLSearchParams();
  if (request) q.set('request', request);
  if (before) q.set('before', String(before));
  return `${window.location.pathname}${q.size ? `?${q}` : ''}`;
}

async function showEntries({ request, before }) {
  $('request-error').textContent = '';
  $('request').removeAttribute('aria-invalid');
  const body = $('entries-body');
  let doc;
  try {
    // one more than a page: whether there are older entries
    const params = { order: 'newest', limit: PAGE + 1, ...(request ? { request } : {}), ...(before ? { before } : {}) };
    doc = await getJSON('/audit', params);
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
  const older = doc.entries.length > PAGE;
  const entries = doc.entries.slice(0, PAGE);
  const range = entries.length ? ` #${entries[0].seq}–#${entries[entries.length - 1].seq}, newest first` : '';
  $('entries-title').textContent = `${request ? `Entries of ${request}` : 'Entries'}${range}`;
  pager($('older'), older && { request, before: entries[entries.length - 1].seq });
  pager($('newest'), Boolean(before) && { request });
  const rows = entries.map((e) => {
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
  document.documentElement.dataset.entries = `${request ?? ''}:${before ?? ''}:${entries.length}`;
}

// A link to another page of entries (followed in the page, so back and forward work), or hidden.
function pager(link, target) {
  link.hidden = !target;
  if (target) link.href = viewURL(target);
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
  const read = (search = window.location.search) => {
    const q = new URLSearchParams(search);
    const before = Number(q.get('before'));
    return { request: q.get('request')?.trim() || null, before: Number.isInteger(before) && before > 0 ? before : null };
  };
  const go = (target) => {
    window.history.pushState(null, '', viewURL(target));
    showEntries(target);
  };
  $('request').value = read().request ?? '';
  $('filter').addEventListener('submit', (e) => {
    e.preventDefault();
    go({ request: $('request').value.trim() || null, before: null });
  });
  for (const link of [$('older'), $('newest')]) {
    link.addEventListener('click', (e) => {
      e.preventDefault();
      go(read(link.search));
    });
  }
  window.addEventListener('popstate', () => {
    $('request').value = read().request ?? '';
    showEntries(read());
  });
  await Promise.all([showVerification(), showEntries(read())]);
}

start();
