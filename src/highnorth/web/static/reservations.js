// The reservations view: the volumes held, allocated, published or active (GET /reservations), on a UTC time line and the map,
// conflicts (GET /reservations/conflicts) in red on both; clicking an item highlights and zooms
// its volume. The selection is in the query string (`selected`: a request id or `a+b` for a
// conflict). Plain DOM and CSS; text only (textContent) from the server.
import { getJSON } from './api.js';
import { createMap } from './map.js';
import { currentUser, may, renderNav } from './nav.js';

const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };
const DAY = 86_400_000;

let volumes = [];
let conflicts = [];
let selected = new URLSearchParams(window.location.search).get('selected');

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const utc = (iso) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const level = (m, none) => (m === null || m === undefined ? none : `${Math.round(m).toLocaleString('en-GB')} m`);
const band = (p) => `${level(p.lower_m, 'SFC')} – ${level(p.upper_m, 'UNL')}`;
// an area in km²: three significant figures below 1, one decimal below 100, whole above
const km2 = (v) => v.toLocaleString('en-GB', v < 1 ? { maximumSignificantDigits: 3 } : { maximumFractionDigits: v < 100 ? 1 : 0 });
const conflictId = (c) => `${c.properties.a}+${c.properties.b}`;

// ---- the map ---------------------------------------------------------------------------------

const view = createMap($('map'), () => {});
window.highnorthMap = view.map; // for the browser test
const ready = view.ready.then(() => {
  const map = view.map;
  map.addSource('volumes', { type: 'geojson', data: EMPTY });
  map.addSource('conflicts', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'volumes-fill', type: 'fill', source: 'volumes', paint: { 'fill-color': '#2f6f9f', 'fill-opacity': 0.28 } });
  map.addLayer({ id: 'volumes-line', type: 'line', source: 'volumes', paint: { 'line-color': '#1f4f7a', 'line-width': 1.5 } });
  map.addLayer({ id: 'conflicts-fill', type: 'fill', source: 'conflicts', paint: { 'fill-color': '#cc3232', 'fill-opacity': 0.55 } });
  map.addLayer({ id: 'conflicts-line', type: 'line', source: 'conflicts', paint: { 'line-color': '#8c1717', 'line-width': 2 } });
  map.addLayer({
    id: 'selected-line', type: 'line', source: 'volumes', filter: ['==', ['get', 'request'], ''],
    paint: { 'line-color': '#f2a900', 'line-width': 4 },
  });
  map.addLayer({
    id: 'selected-conflict', type: 'line', source: 'conflicts', filter: ['==', ['get', 'a'], ''],
    paint: { 'line-color': '#f2a900', 'line-width': 4 },
  });
  map.on('click', 'volumes-fill', (e) => select(e.features[0].properties.request));
});

function bounds(geometry) {
  const flat = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(flat));
  const points = flat(geometry.coordinates);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

function fit(geometries) {
  const all = geometries.map(bounds);
  if (!all.length) return;
  const box = [
    [Math.min(...all.map((b) => b[0][0])), Math.min(...all.map((b) => b[0][1]))],
    [Math.max(...all.map((b) => b[1][0])), Math.max(...all.map((b) => b[1][1]))],
  ];
  view.map.fitBounds(box, { padding: 60, duration: 0, maxZoom: 9 });
}

// ---- the time line -----------------------------------------------------------------------------

function drawTimeline() {
  const box = $('timeline');
  if (!volumes.length) {
    box.replaceChildren(el('p', 'hint', 'No volumes allocated.'));
    return;
  }
  const starts = volumes.map((v) => Date.parse(v.properties.start));
  const ends = volumes.map((v) => Date.parse(v.properties.end));
  const t0 = Math.floor(Math.min(...starts) / DAY) * DAY;
  const t1 = Math.max(Math.ceil(Math.max(...ends) / DAY) * DAY, t0 + 2 * DAY);
  const at = (t) => `${((t - t0) / (t1 - t0)) * 100}%`;
  const span = (a, b) => `${Math.max(((b - a) / (t1 - t0)) * 100, 0.4)}%`;
  const days = Math.round((t1 - t0) / DAY);
  const step = Math.max(1, Math.ceil(days / 14));

  const axis = el('div', 'tl-row tl-axis');
  axis.append(el('div', 'tl-label', ''));
  const scale = el('div', 'tl-track');
  for (let d = 0; d <= days; d += step) {
    const tick = el('span', 'tl-tick', new Date(t0 + d * DAY).toISOString().slice(5, 10));
    tick.style.left = at(t0 + d * DAY);
    scale.append(tick);
  }
  axis.append(scale);

  const rows = volumes.map((v) => {
    const p = v.properties;
    const row = el('div', 'tl-row');
    row.dataset.request = p.request;
    const label = el('div', 'tl-label');
    label.append(el('strong', '', p.activity), el('span', '', `${p.nation} · ${p.kind.replaceAll('_', ' ')} · ${band(p)}`));
    const track = el('div', 'tl-track');
    for (let d = 0; d <= days; d += step) {
      const grid = el('span', 'tl-grid');
      grid.style.left = at(t0 + d * DAY);
      track.append(grid);
    }
    const bar = el('button', 'tl-bar');
    bar.type = 'button';
    bar.dataset.request = p.request;
    const mine = conflicts.filter((c) => c.properties.a === p.request || c.properties.b === p.request);
    if (mine.length) bar.classList.add('conflicted');
    bar.setAttribute('aria-pressed', String(selected === p.request));
    bar.setAttribute(
      'aria-label',
      `${p.activity} (${p.request}), ${utc(p.start)} to ${utc(p.end)}, ${band(p)}${mine.length ? `, ${mine.length} conflict${mine.length > 1 ? 's' : ''}` : ''}`,
    );
    bar.title = `${p.activity}\n${utc(p.start)} → ${utc(p.end)}\n${band(p)}`;
    bar.style.left = at(Date.parse(p.start));
    bar.style.width = span(Date.parse(p.start), Date.parse(p.end));
    bar.append(el('span', 'tl-bar-text', p.activity));
    bar.addEventListener('click', () => select(p.request));
    track.append(bar);
    for (const c of mine) {
      const mark = el('span', 'tl-conflict');
      mark.title = `conflict with ${activityOf(c.properties.a === p.request ? c.properties.b : c.properties.a)}: ${utc(c.properties.start)} → ${utc(c.properties.end)}`;
      mark.style.left = at(Date.parse(c.properties.start));
      mark.style.width = span(Date.parse(c.properties.start), Date.parse(c.properties.end));
      track.append(mark);
    }
    row.append(label, track);
    return row;
  });
  box.replaceChildren(axis, ...rows);
}

const activityOf = (id) => volumes.find((v) => v.properties.request === id)?.properties.activity ?? id;

function drawConflicts() {
  const items = conflicts.map((c) => {
    const p = c.properties;
    const li = el('li');
    const b = el('button', 'conflict-item');
    b.type = 'button';
    b.dataset.conflict = conflictId(c);
    b.setAttribute('aria-pressed', String(selected === conflictId(c)));
    b.append(el('strong', '', `${activityOf(p.a)} × ${activityOf(p.b)}`), el('span', '', `${utc(p.start)} → ${utc(p.end)} · ${band(p)}${p.area_km2 !== null ? ` · ${km2(p.area_km2)} km²` : ''}`));
    b.addEventListener('click', () => select(conflictId(c)));
    li.append(b);
    return li;
  });
  $('conflicts').replaceChildren(...(items.length ? items : [el('li', 'hint', 'None: no two reservations share footprint, band and window.')]));
}

// ---- selection -------------------------------------------------------------------------------

async function select(id, { push = true } = {}) {
  selected = id;
  if (push) {
    const url = id ? `${window.location.pathname}?selected=${encodeURIComponent(id)}` : window.location.pathname;
    window.history.pushState(null, '', url);
  }
  for (const b of document.querySelectorAll('.tl-bar')) b.setAttribute('aria-pressed', String(b.dataset.request === id));
  for (const b of document.querySelectorAll('.conflict-item')) b.setAttribute('aria-pressed', String(b.dataset.conflict === id));
  await ready;
  const volume = volumes.find((v) => v.properties.request === id);
  const conflict = conflicts.find((c) => conflictId(c) === id);
  view.map.setFilter('selected-line', ['==', ['get', 'request'], volume ? id : '']);
  view.map.setFilter(
    'selected-conflict',
    conflict ? ['all', ['==', ['get', 'a'], conflict.properties.a], ['==', ['get', 'b'], conflict.properties.b]] : ['==', ['get', 'a'], ''],
  );
  const box = $('selected');
  if (volume) {
    const p = volume.properties;
    const dl = el('dl', 'facts');
    for (const [t, v] of [['Request', p.request], ['Activity', p.activity], ['Nation · kind', `${p.nation} · ${p.kind.replaceAll('_', ' ')}`], ['Window', `${utc(p.start)} → ${utc(p.end)}`], ['Band', band(p)]]) {
      dl.append(el('dt', '', t), el('dd', '', v));
    }
    const link = el('a', 'more', 'Open the request →');
    link.href = `/requests?state=all&selected=${encodeURIComponent(p.request)}`;
    box.replaceChildren(dl, link);
    fit([volume.geometry]);
  } else if (conflict) {
    const p = conflict.properties;
    box.replaceChildren(el('p', 'conflict-text', `${activityOf(p.a)} (${p.a}) and ${activityOf(p.b)} (${p.b}) share ${p.area_km2 === null ? '?' : km2(p.area_km2)} km² at ${band(p)} from ${utc(p.start)} to ${utc(p.end)}.`));
    fit([conflict.geometry]);
  } else {
    box.replaceChildren(el('p', 'hint', 'Click a bar on the time line or a conflict to highlight and zoom to its volume.'));
    fit(volumes.map((v) => v.geometry));
  }
  document.documentElement.dataset.selected = id ?? '';
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  renderNav();
  const who = await currentUser().catch(() => null);
  if (!may(who, 'reservations.read')) {
    $('signed-out').hidden = false;
    if (who) $('signed-out').textContent = `Your role (${who.role}) does not read reservations: they are for approvers, airspace managers and admins.`;
    $('summary').textContent = '';
    $('timeline').replaceChildren();
    document.documentElement.dataset.loaded = 'none';
    return;
  }
  try {
    const [docV, docC] = await Promise.all([getJSON('/reservations'), getJSON('/reservations/conflicts')]);
    volumes = [...docV.features].sort((a, b) => a.properties.start.localeCompare(b.properties.start));
    conflicts = docC.features;
    const warn = docV.warnings?.length ? ` ${docV.warnings.join('; ')}` : '';
    $('summary').textContent = `${volumes.length} allocated volume${volumes.length === 1 ? '' : 's'}, ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}.${warn}`;
  } catch (err) {
    $('error').textContent = err.message;
    $('summary').textContent = '';
    return;
  }
  drawTimeline();
  drawConflicts();
  await ready;
  view.map.getSource('volumes').setData({ type: 'FeatureCollection', features: volumes });
  view.map.getSource('conflicts').setData({ type: 'FeatureCollection', features: conflicts });
  $('show-all').addEventListener('click', () => select(null));
  await select(selected, { push: false });
  window.addEventListener('popstate', () => select(new URLSearchParams(window.location.search).get('selected'), { push: false }));
  document.documentElement.dataset.loaded = `${volumes.length}:${conflicts.length}`;
}

start();
