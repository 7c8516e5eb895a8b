// The requests view: a requester's own nation's requests and a form to file an Activity GeoJSON
// file; an approver's queue of referred requests with, for the selected one, its activity on the
// map and its decision's reasons, and the workflow's actions with a note (If-Match: the version read).
// State (filter, selected request) in the query string. Everything from the server or the user is
// put in the page as text (textContent), never as HTML.
import { ApiError, getJSON, getWithETag, sendJSON, sendText } from './api.js';
import { createMap, OUTCOMES } from './map.js';
import { currentUser, may, renderNav } from './nav.js';

const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };
const OUTCOME_OF = { permit: 'permitted', condition: 'conditional', refer: 'referred', deny: 'denied' };
const SEVERITY = { deny: 0, refer: 1, condition: 2, permit: 3 };
const STATES = ['all', 'referred', 'screened', 'approved', 'allocated', 'published', 'activated', 'released', 'expired', 'rejected', 'completed', 'cancelled'];
const PAGE = 100; // requests a page

let who = null;
let query = readQuery();
let zones = new Map(); // zone id -> {name, basis}
let current = null; // {record, etag} of the selected request
let sequence = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// `2025-06-10T06:00:00Z` -> `2025-06-10 06:00 UTC`
const utc = (iso) => (iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—');
const kindName = (kind) => kind.replaceAll('_', ' ');

function readQuery(search = window.location.search) {
  const q = new URLSearchParams(search);
  const state = STATES.includes(q.get('state')) ? q.get('state') : null;
  const selected = /^req-[0-9a-f]{16}$/.test(q.get('selected') ?? '') ? q.get('selected') : null;
  const offset = Number(q.get('offset'));
  return { state, selected, offset: Number.isInteger(offset) && offset > 0 ? offset : 0 };
}

// The view's URL for `target` (the query by default); parts at their default left out.
function queryURL(target = query) {
  const q = new URLSearchParams();
  if (target.state) q.set('state', target.state);
  if (target.offset) q.set('offset', String(target.offset));
  if (target.selected) q.set('selected', target.selected);
  return `${window.location.pathname}${q.size ? `?${q}` : ''}`;
}

function writeQuery({ replace = false } = {}) {
  const url = queryURL();
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
}

// An approver's queue is the referred requests; everyone else starts with all of theirs.
const defaultState = () => (may(who, 'request.approve') ? 'referred' : 'all');
const filterState = () => query.state ?? defaultState();

function outcomeBadge(outcome) {
  const o = OUTCOMES.find((x) => x.id === outcome);
  const span = el('span', 'outcome');
  span.append(el('span', `swatch ${outcome}`), el('span', '', o ? o.label : outcome));
  return span;
}

const stateBadge = (state) => el('span', `state state-${state}`, state);

// ---- the list --------------------------------------------------------------------------------

async function loadList() {
  const state = filterState();
  $('state').value = state;
  const bound = who.role === 'requester' ? ` of ${who.nation}` : '';
  $('list-title').textContent =
    state === 'referred' && may(who, 'request.approve') ? 'Queue: referred requests' : `Requests${bound}`;
  // newest first, a page at a time; one more than a page says whether there are older ones
  const params = { ...(state === 'all' ? {} : { state }), limit: PAGE + 1, offset: query.offset };
  const mine = ++sequence;
  let list;
  try {
    list = await getJSON('/requests', params);
  } catch (err) {
    $('error').textContent = err.message;
    return;
  }
  if (mine !== sequence) return;
  $('error').textContent = '';
  const older = list.requests.length > PAGE;
  const shown = list.requests.slice(0, PAGE);
  if (shown.length && (query.offset || older)) {
    $('list-title').textContent += ` ${query.offset + 1}–${query.offset + shown.length}`;
  }
  pageLink($('older'), older && { ...query, offset: query.offset + PAGE });
  pageLink($('newer'), query.offset > 0 && { ...query, offset: Math.max(0, query.offset - PAGE) });
  const items = shown.map((r) => {
    const li = el('li');
    const button = el('button', 'req');
    button.type = 'button';
    button.dataset.id = r.id;
    button.setAttribute('aria-pressed', String(r.id === query.selected));
    const top = el('span', 'req-top');
    top.append(el('strong', 'req-activity', r.activity_id), stateBadge(r.state));
    const mid = el('span', 'req-mid');
    mid.append(outcomeBadge(r.outcome), el('span', 'req-what', `${r.nation} · ${kindName(r.kind)}`));
    const low = el('span', 'req-when', `${utc(r.start)} → ${utc(r.end)}`);
    button.append(top, mid, low);
    button.addEventListener('click', () => {
      query = { ...query, selected: r.id };
      writeQuery();
      markSelected();
      showSelected();
    });
    li.append(button);
    return li;
  });
  if (!items.length) items.push(el('li', 'hint empty', state === 'all' ? 'No requests yet.' : `No ${state} requests.`));
  $('list').replaceChildren(...items);
  document.documentElement.dataset.listed = `${state}:${query.offset}:${shown.length}`;
}

// A link to another page of the list (followed in the page: back and forward work), or hidden.
function pageLink(link, target) {
  link.hidden = !target;
  if (target) link.href = queryURL(target);
}

function markSelected() {
  for (const b of $('list').querySelectorAll('button.req')) {
    b.setAttribute('aria-pressed', String(b.dataset.id === query.selected));
  }
}

// ---- the selected request ----------------------------------------------------------------------

function facts(rows) {
  const dl = el('dl', 'facts');
  for (const [term, value] of rows) {
    dl.append(el('dt', '', term));
    const dd = el('dd');
    dd.append(value instanceof Node ? value : document.createTextNode(String(value ?? '—')));
    dl.append(dd);
  }
  return dl;
}

function basisBadge(basis) {
  return el('span', `basis ${basis}`, basis === 'assumption' ? 'assumption ⚠' : basis);
}

// The reasons as cards (rule, effect, zone, entry and exit times, basis, source), the most severe
// effect first.
function reasonsList(reasons) {
  const list = el('ul', 'rules reasons');
  const sorted = [...reasons].sort((a, b) => (SEVERITY[a.effect] ?? 9) - (SEVERITY[b.effect] ?? 9));
  for (const r of sorted) {
    const li = el('li', 'rule');
    li.dataset.rule = r.rule;
    const title = el('p', 'rule-title');
    title.append(el('span', `effect ${r.effect}`, r.effect), el('strong', '', r.title));
    const meta = el('p', 'rule-meta');
    meta.append(el('code', '', r.rule), basisBadge(r.basis));
    const zone = el('p', 'rule-zones', 'Zone: ');
    if (r.zone) {
      const z = zones.get(r.zone);
      zone.append(el('span', `zone ${z?.basis === 'assumption' ? 'assumed' : ''}`, z?.name ?? r.zone));
      if (z?.basis === 'assumption') zone.append(' ', basisBadge('assumption'));
    } else zone.append('the activity as a whole');
    const times = el('p', 'rule-meta times', r.enter ? `In the zone: ${utc(r.enter)} → ${utc(r.exit)}` : 'Times: the whole window');
    li.append(title, meta, zone, times, el('p', 'rule-source', `Source: ${r.source || 'not given'}`));
    list.append(li);
  }
  return list;
}

function obligationsList(obligations) {
  const ul = el('ul', 'obligations');
  for (const o of obligations) {
    const li = el('li');
    li.append(el('strong', '', o.type.replaceAll('_', ' ')), ` — ${o.authority ?? ''}`);
    if (o.due) li.append(el('span', 'due', ` due ${utc(o.due)}`));
    if (o.text) li.append(el('span', 'hint block', o.text));
    ul.append(li);
  }
  return ul;
}

// The workflow's actions (workflow/states.py): the states each applies to, its button, what it is
// called once done and when refused. Offered to the roles that may (from /me), for the states
// they apply to; the server still checks both.
const ACTIONS = [
  { action: 'approve', states: ['referred'], text: 'Approve', done: 'Approved', refused: 'Not approved', style: 'primary' },
  { action: 'reject', states: ['referred', 'screened'], text: 'Reject', done: 'Rejected', refused: 'Not rejected', style: 'danger' },
  { action: 'allocate', states: ['screened', 'approved'], text: 'Allocate airspace', done: 'Allocated', refused: 'Not allocated', style: 'primary' },
  { action: 'publish', states: ['allocated'], text: 'Publish (NOTAM)', done: 'Published', refused: 'Not published', style: 'primary' },
  { action: 'activate', states: ['published'], text: 'Activate', done: 'Activated', refused: 'Not activated', style: '' },
  { action: 'release', states: ['allocated', 'published', 'activated'], text: 'Release airspace', done: 'Released', refused: 'Not released', style: '' },
  { action: 'complete', states: ['screened', 'approved', 'allocated', 'activated'], text: 'Mark completed', done: 'Completed', refused: 'Not completed', style: '' },
  { action: 'rescreen', states: ['screened', 'referred', 'approved', 'allocated'], text: 'Screen again', done: 'Screened again', refused: 'Not screened again', style: '' },
  { action: 'cancel', states: ['screened', 'referred', 'approved', 'allocated', 'published'], text: 'Cancel request', done: 'Cancelled', refused: 'Not cancelled', style: 'danger' },
];

function decidePanel(record) {
  const offered = ACTIONS.filter((a) => may(who, `request.${a.action}`) && a.states.includes(record.state));
  if (!offered.length) return null;
  const form = el('form', 'decide');
  form.noValidate = true;
  form.append(el('h2', '', offered.some((a) => a.action === 'approve') ? 'Decide' : 'Actions'));
  const label = el('label', '', 'Note (kept in the audit log)');
  label.htmlFor = 'note';
  const note = el('textarea');
  note.id = 'note';
  note.rows = 3;
  note.maxLength = 2000;
  note.setAttribute('aria-describedby', 'decide-error');
  const buttons = el('div', 'row tight');
  for (const a of offered) {
    const b = el('button', a.style, a.text);
    b.type = 'button';
    b.id = a.action;
    b.addEventListener('click', () => decide(a, note.value));
    buttons.append(b);
  }
  const error = el('p', 'error');
  error.id = 'decide-error';
  error.setAttribute('role', 'alert');
  form.append(label, note, buttons, error);
  return form;
}

async function decide(a, note) {
  const { record, etag } = current;
  $('decide-error').textContent = '';
  for (const b of document.querySelectorAll('.decide button')) b.disabled = true;
  try {
    const moved = await sendJSON(`/requests/${encodeURIComponent(record.id)}/${a.action}`, { note }, {
      extra: { 'If-Match': etag ?? `"${record.version}"` },
    });
    await Promise.all([loadList(), showSelected()]);
    const conflicts = moved.conflicts?.length ? ` It conflicts with ${moved.conflicts.length} other reservation(s): see Reservations.` : '';
    $('decided').textContent = `${a.done}: the request is now ${moved.state} (version ${moved.version}).${conflicts}`;
  } catch (err) {
    const stale = err instanceof ApiError && err.status === 409;
    $('decide-error').textContent = `${a.refused}: ${err.message}${stale ? '. Reload the request to see what changed.' : ''}`;
    for (const b of document.querySelectorAll('.decide button')) b.disabled = false;
  }
}

async function showSelected() {
  const id = query.selected;
  const box = $('detail');
  if (!id) {
    box.replaceChildren(el('p', 'hint', 'Select a request to see its decision, its reasons and its activity on the map.'));
    showOnMap(null);
    return;
  }
  let answer;
  try {
    answer = await getWithETag(`/requests/${encodeURIComponent(id)}`);
  } catch (err) {
    box.replaceChildren(el('p', 'error', err.message));
    showOnMap(null);
    return;
  }
  if (id !== query.selected) return;
  current = { record: answer.body, etag: answer.etag };
  const r = answer.body;
  const name = r.feature?.properties?.name;
  const head = el('div', 'detail-head');
  const title = el('h1', '', name || r.activity_id);
  head.append(title);
  const badges = el('p', 'badges');
  badges.append(el('span', 'label', 'Decision'), outcomeBadge(r.outcome), el('span', 'label', 'State'), stateBadge(r.state), el('span', 'version', `version ${r.version}`));
  head.append(badges);
  const parts = [head];
  parts.push(
    facts([
      ['Request', r.id],
      ['Activity', r.activity_id],
      ['Nation · kind', `${r.nation} · ${kindName(r.kind)}`],
      ['Window', `${utc(r.start)} → ${utc(r.end)}`],
      ['Filed by', `${r.created_by}, ${utc(r.created_at)}`],
      ['Policy', `${r.decision?.policy?.version ?? ''} ${r.policy_hash.slice(0, 19)}…`.trim()],
    ]),
  );
  const decided = el('p', 'done', '');
  decided.id = 'decided';
  decided.setAttribute('role', 'status');
  const panel = decidePanel(r);
  if (panel) parts.push(panel);
  parts.push(decided);
  parts.push(el('h2', '', 'Reasons'));
  parts.push(r.decision.reasons.length ? reasonsList(r.decision.reasons) : el('p', 'hint', 'No rule applies.'));
  if (r.decision.obligations?.length) parts.push(el('h2', '', 'Obligations'), obligationsList(r.decision.obligations));
  if (may(who, 'audit.read')) {
    const link = el('a', 'more', 'Audit entries of this request →');
    link.href = `/audit?request=${encodeURIComponent(r.id)}`;
    parts.push(link);
  }
  box.replaceChildren(...parts);
  box.dataset.request = r.id;
  await showOnMap(r);
  document.documentElement.dataset.shown = `${r.id}:${r.version}`;
}

// ---- the map ---------------------------------------------------------------------------------

const view = createMap($('map'), () => {});
window.highnorthMap = view.map; // for the browser test
const mapReady = view.ready.then(() => {
  const map = view.map;
  map.addSource('activity', { type: 'geojson', data: EMPTY });
  map.addSource('entries', { type: 'geojson', data: EMPTY });
  const ink = '#13314d';
  map.addLayer({ id: 'activity-fill', type: 'fill', source: 'activity', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#2f6f9f', 'fill-opacity': 0.25 } });
  map.addLayer({ id: 'activity-line', type: 'line', source: 'activity', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': ink, 'line-width': 2.5 } });
  map.addLayer({ id: 'activity-point', type: 'circle', source: 'activity', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 8, 'circle-color': ink, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2.5 } });
  map.addLayer({ id: 'entries', type: 'circle', source: 'entries', paint: { 'circle-radius': 4, 'circle-color': '#fff', 'circle-stroke-color': ink, 'circle-stroke-width': 2 } });
});

function bounds(geometry) {
  const flat = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(flat));
  const points = flat(geometry.coordinates);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

// The activity, its entry points, and the zones of the reasons that decided its outcome (filled
// in that outcome's pattern, as on the decision map).
async function showOnMap(record) {
  await mapReady;
  const map = view.map;
  if (!record?.feature) {
    map.getSource('activity').setData(EMPTY);
    map.getSource('entries').setData(EMPTY);
    view.setDecision(EMPTY);
    return;
  }
  const feature = { type: 'Feature', geometry: record.feature.geometry, properties: {} };
  map.getSource('activity').setData({ type: 'FeatureCollection', features: [feature] });
  const reasons = record.decision.reasons.filter((r) => OUTCOME_OF[r.effect] === record.outcome && r.zone);
  const entries = record.decision.reasons.filter((r) => r.where && record.feature.geometry.type !== 'Point');
  map.getSource('entries').setData({
    type: 'FeatureCollection',
    features: entries.map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: r.where }, properties: { rule: r.rule } })),
  });
  const ids = [...new Set(reasons.map((r) => r.zone))];
  const geometries = await Promise.all(
    ids.map((id) => getJSON(`/zones/${encodeURIComponent(id)}`).then((doc) => doc.features[0]?.geometry).catch(() => null)),
  );
  view.setDecision({
    type: 'FeatureCollection',
    features: geometries.filter(Boolean).map((geometry) => ({ type: 'Feature', geometry, properties: { outcome: record.outcome } })),
  });
  const [[w, s], [e, n]] = bounds(record.feature.geometry);
  const pad = Math.max(e - w, (n - s) * 2.5, 3);
  map.fitBounds([[w - pad, s - pad / 2.5], [e + pad, n + pad / 2.5]], { padding: 40, duration: 0, maxZoom: 9 });
}

// ---- submitting --------------------------------------------------------------------------------

async function submitFile(event) {
  event.preventDefault();
  $('file-error').textContent = '';
  $('file-problems').replaceChildren();
  $('submit-done').textContent = '';
  $('file').removeAttribute('aria-invalid');
  const file = $('file').files[0];
  if (!file) {
    $('file-error').textContent = 'Choose an Activity GeoJSON file first.';
    $('file').setAttribute('aria-invalid', 'true');
    return;
  }
  $('submit-button').disabled = true;
  try {
    const filed = await sendText('/requests', await file.text());
    const list = filed.requests.map((r) => `${r.activity_id} → ${r.id} (${r.state})`).join('; ');
    $('submit-done').textContent = `Filed ${filed.count} request${filed.count === 1 ? '' : 's'}: ${list}`;
    query = { state: null, selected: filed.requests[0]?.id ?? null, offset: 0 };
    writeQuery();
    $('file').value = '';
    await Promise.all([loadList(), showSelected()]);
  } catch (err) {
    $('file-error').textContent = err.message;
    $('file').setAttribute('aria-invalid', 'true');
    $('file-problems').replaceChildren(
      ...(err.problems ?? []).map((p) => el('li', '', `${p.item}: ${p.field}: ${p.message}`)),
    );
  } finally {
    $('submit-button').disabled = false;
  }
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  renderNav();
  who = await currentUser().catch(() => null);
  if (!who || !may(who, 'request.read')) {
    $('signed-out').hidden = false;
    if (who) $('signed-out').textContent = `Your role (${who.role}) does not see requests: the queue and the submit form are for requesters, approvers, airspace managers and admins.`;
    $('state').disabled = true;
    document.documentElement.dataset.listed = 'none';
    return;
  }
  if (may(who, 'request.submit')) {
    $('submit').hidden = false;
    $('submit').addEventListener('submit', submitFile);
  }
  $('state').addEventListener('change', () => {
    query = { state: $('state').value === defaultState() ? null : $('state').value, selected: query.selected, offset: 0 };
    writeQuery();
    loadList();
  });
  for (const link of [$('older'), $('newer')]) {
    link.addEventListener('click', (e) => {
      e.preventDefault();
      query = readQuery(link.search);
      writeQuery();
      loadList();
    });
  }
  window.addEventListener('popstate', () => {
    query = readQuery();
    loadList();
    showSelected();
  });
  zones = new Map((await getJSON('/zones').catch(() => ({ zones: [] }))).zones.map((z) => [z.id, z]));
  await Promise.all([loadList(), showSelected()]);
}

start();
