// The diff view: where the outcome for a nation and an activity kind changed between two dates
// (`GET /decision-maps/diff`), each change a (before → after) pair drawn with the after outcome's
// fill pattern and the before outcome's dashed outline, numbered on the map and in the list with
// its km². State (nation, kind, from, to, the altitude band and attributes) in the query string.
// Text only, never HTML.
import { ApiError, cachedJSON, getJSON } from './api.js';
import { contains, createMap, OUTCOMES } from './map.js';
import { clearFieldErrors, showFieldError } from './fields.js';
import { renderNav } from './nav.js';
import { mapParams, utcAndOslo } from './state.js';
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';

const $ = (id) => document.getElementById(id);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ['nation', 'kind', 'from', 'to', 'lower', 'upper', 'attributes'];
const EXTRA = ['lower', 'upper', 'attributes']; // as typed; the server judges them
const AMENDMENT = { from: '2025-05-21', to: '2025-05-23' };
const EMPTY = { type: 'FeatureCollection', features: [] };
const outcome = (id) => OUTCOMES.find((o) => o.id === id) ?? { id, label: id, ink: '#555', color: '#999' };
const km2 = (value) => `${Math.round(value).toLocaleString('en-GB')} km²`;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function readDiffState(search = window.location.search) {
  const q = new URLSearchParams(search);
  const date = (name, fallback) => (DATE.test(q.get(name) ?? '') ? q.get(name) : fallback);
  return {
    nation: (q.get('nation') ?? 'USA').toUpperCase(),
    kind: q.get('kind') ?? 'flight',
    from: date('from', AMENDMENT.from),
    to: date('to', AMENDMENT.to),
    ...Object.fromEntries(EXTRA.map((name) => [name, q.get(name) ?? ''])),
  };
}

function writeDiffState(s) {
  const shown = Object.fromEntries(Object.entries(s).filter(([key, value]) => !EXTRA.includes(key) || value));
  const url = `${window.location.pathname}?${new URLSearchParams(shown)}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', url);
}

let state = readDiffState();
let sequence = 0;
let markers = [];

renderNav();
const view = createMap($('map'), () => {});
window.highnorthMap = view.map; // for the browser test
view.map.getCanvas().setAttribute('aria-label', 'Map of where the outcome changed between the two dates');

// The label point of a change: the area centroid of its largest ring when inside, else a vertex.
function labelPoint(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  for (const rings of polygons) {
    const ring = rings[0];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (!best || Math.abs(a) > best.area) best = { area: Math.abs(a), ring, c: a ? [cx / (3 * a), cy / (3 * a)] : ring[0] };
  }
  return contains(geometry, best.c) ? best.c : best.ring[Math.floor(best.ring.length / 2)];
}

function bounds(geometry) {
  const b = new maplibregl.LngLatBounds();
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const rings of polygons) for (const [x, y] of rings[0]) b.extend([x, y]);
  return b;
}

const clearErrors = () => clearFieldErrors(FIELDS);

// The server names `actor`, `kind`, or (for either date) `at` with the value it could not read.
function fieldOf(err) {
  const name = err.message.split(':')[0];
  if (name === 'actor') return 'nation';
  if (name === 'kind') return 'kind';
  if (name === 'lower_m') return 'lower';
  if (name === 'upper_m') return 'upper';
  if (name === 'attributes') return 'attributes';
  if (['from', 'to', 'at'].includes(name)) return err.message.includes(`\`${state.to}\``) && !err.message.includes(`\`${state.from}\``) ? 'to' : 'from';
  return null;
}

function showError(err) {
  showFieldError(err instanceof ApiError ? fieldOf(err) : null, err.message);
}

function syncControls() {
  $('nation').value = state.nation;
  $('kind').value = state.kind;
  $('from').value = state.from;
  $('to').value = state.to;
  for (const name of EXTRA) $(name).value = state[name];
  if (EXTRA.some((name) => state[name])) $('more').open = true;
  $('amendment').setAttribute('aria-pressed', String(state.from === AMENDMENT.from && state.to === AMENDMENT.to));
}

function zoomTo(feature) {
  view.map.fitBounds(bounds(feature.geometry), { padding: 80, maxZoom: 7, duration: 600 });
}

function renderChanges(doc) {
  for (const m of markers) m.remove();
  markers = [];
  const features = doc?.features ?? [];
  const total = features.reduce((sum, f) => sum + f.properties.area_km2, 0);
  $('changes-total').textContent = doc ? `· ${features.length} · ${km2(total)}` : '';
  if (doc && !features.length) {
    $('changes').replaceChildren(el('li', 'change none', 'Nothing changed: the outcome is the same everywhere on both dates.'));
    return;
  }
  $('changes').replaceChildren(
    ...features.map((f) => {
      const { n, before, after, area_km2: area } = f.properties;
      const [b, a] = [outcome(before), outcome(after)];
      const item = el('li', 'change');
      item.tabIndex = 0;
      item.dataset.before = before;
      item.dataset.after = after;
      item.setAttribute('aria-label', `Change ${n}: ${b.label} before, ${a.label} after, ${km2(area)}; select to zoom`);
      const pair = el('span', 'pair');
      pair.append(el('strong', '', `${b.label} → ${a.label}`), el('small', '', `was ${b.text}; now ${a.text}`));
      item.append(
        el('span', 'num', String(n)), el('span', `swatch before ${before}`), el('span', 'arrow', '→'),
        el('span', `swatch ${after}`), pair, el('span', 'area', km2(area)),
      );
      item.querySelector('.swatch.before').title = `before: ${b.label}`;
      item.querySelector('.swatch:not(.before)').title = `after: ${a.label}`;
      item.addEventListener('click', () => zoomTo(f));
      item.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), zoomTo(f)));
      const label = el('div', 'diff-label', String(n));
      label.title = `${n}: ${b.label} → ${a.label}, ${km2(area)}`;
      label.addEventListener('click', () => item.focus());
      markers.push(new maplibregl.Marker({ element: label }).setLngLat(labelPoint(f.geometry)).addTo(view.map));
      return item;
    }),
  );
}

function addLayers() {
  const map = view.map;
  map.addSource('changes', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'change-fill', type: 'fill', source: 'changes',
    paint: { 'fill-pattern': ['concat', 'outcome-', ['get', 'after']] },
  }, 'borders');
  map.addLayer({
    id: 'change-before', type: 'line', source: 'changes',
    paint: {
      'line-color': ['match', ['get', 'before'], ...OUTCOMES.flatMap((o) => [o.id, o.ink]), '#555'],
      'line-width': 2.4, 'line-dasharray': [3, 1.5],
    },
  });
}

async function render() {
  const mine = ++sequence;
  clearErrors();
  syncControls();
  document.documentElement.dataset.rendered = '';
  let doc;
  try {
    const { actor, kind, at, simplify, ...extra } = mapParams(state); // the band and attributes as the decision map sends them
    doc = await cachedJSON('/decision-maps/diff', { actor, kind, from: state.from, to: state.to, ...extra });
  } catch (err) {
    if (mine !== sequence) return;
    view.map.getSource('changes').setData(EMPTY);
    renderChanges(null);
    $('when').textContent = '';
    showError(err);
    document.documentElement.dataset.rendered = 'error';
    return;
  }
  if (mine !== sequence) return;
  const features = [...doc.features]
    .sort((x, y) => y.properties.area_km2 - x.properties.area_km2)
    .map((f, i) => ({ ...f, properties: { ...f.properties, n: i + 1 } }));
  const shown = { ...doc, features };
  view.map.getSource('changes').setData(shown);
  renderChanges(shown);
  if (features.length) {
    const all = features.reduce((b, f) => b.extend(bounds(f.geometry)), new maplibregl.LngLatBounds());
    view.map.fitBounds(all, { padding: 120, maxZoom: 6, duration: 0 });
  }
  $('when').replaceChildren(
    el('span', '', `From ${utcAndOslo(doc.from.at)} (version ${doc.from.version})`),
    document.createElement('br'),
    el('span', '', `to ${utcAndOslo(doc.to.at)} (version ${doc.to.version})`),
  );
  $('policy').replaceChildren(
    ...[['Versions', `${doc.from.version} → ${doc.to.version}`]].map(([name, value]) => {
      const pill = el('span', 'pill');
      pill.append(el('em', '', name), ` ${value}`);
      return pill;
    }),
  );
  view.map.once('idle', () => {
    if (mine === sequence) document.documentElement.dataset.rendered = `${state.nation}/${state.kind}/${state.from}/${state.to}`;
  });
}

function change(patch) {
  state = { ...state, ...patch };
  writeDiffState(state);
  render();
}

function wire() {
  $('question').addEventListener('submit', (e) => e.preventDefault());
  $('nation').addEventListener('change', (e) => change({ nation: e.target.value.trim().toUpperCase() }));
  $('kind').addEventListener('change', (e) => change({ kind: e.target.value }));
  $('from').addEventListener('change', (e) => e.target.value && change({ from: e.target.value }));
  $('to').addEventListener('change', (e) => e.target.value && change({ to: e.target.value }));
  $('amendment').addEventListener('click', () => change(AMENDMENT));
  for (const name of EXTRA) $(name).addEventListener('change', (e) => change({ [name]: e.target.value.trim() }));
  window.addEventListener('popstate', () => {
    state = readDiffState();
    render();
  });
}

async function start() {
  wire();
  syncControls();
  try {
    const { nations } = await getJSON('/web/nations.json');
    $('nations').replaceChildren(
      ...nations.map((n) => Object.assign(document.createElement('option'), { value: n.code, label: n.name })),
    );
  } catch (err) {
    showError(err);
  }
  await view.ready;
  addLayers();
  await render();
}

start();
