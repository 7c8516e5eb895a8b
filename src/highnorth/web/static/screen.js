// The screen view: an activity from a dropped or picked Activity GeoJSON file or drawn on the map,
// with its kind, nation, times (UTC), altitude band and attributes from the form, sent to
// `POST /screen` with the signed-in token; the decision, its obligations and reasons beside the
// map, each exposure's entry and exit on the map and the zones crossed in a table under it.
// A 422's problems go next to the field they name. Text only, never HTML.
// The form and a drawn shape (up to MAX_LINKED vertices, longitude and latitude) are in the query
// string once screened, so a link opens the same activity (screened at once when signed in).
import { cachedJSON, getJSON, token } from './api.js';
import { createMap } from './map.js';
import { renderNav } from './nav.js';
import { createDrawing } from './screen-draw.js';
import { el, exposures, renderObligations, renderOutcome, renderReasons, renderZones } from './screen-result.js';
import { osloDay } from './state.js';
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';

const $ = (id) => document.getElementById(id);
const FIELDS = ['file', 'geometry', 'id', 'nation', 'kind', 'start', 'end', 'altitude', 'attributes', 'submit'];
const EMPTY = { type: 'FeatureCollection', features: [] };
const INPUT = { altitude: 'lower', submit: null, geometry: null };
const MAX_LINKED = 500; // vertices of a shape kept in the URL
const SHAPES = { Point: 'point', LineString: 'track', Polygon: 'area' };
const FORM = ['id', 'nation', 'kind', 'start', 'end', 'lower', 'upper', 'attributes'];

let geometry = null;
let extra = {}; // properties of a loaded file's activity the form does not show (times, name, ...)
let rawFile = null; // a file that is not GeoJSON: sent as it is, for the server to say why
let policy = null;

renderNav();
const view = createMap($('map'), () => {});
window.highnorthMap = view.map; // for the browser test
view.map.getCanvas().setAttribute('aria-label', 'Map of the activity and where it enters and leaves each zone');

function fieldOf(path) {
  if (!path) return null;
  if (path === 'id') return 'id';
  if (path.startsWith('geometry')) return 'geometry';
  const name = path.replace(/^properties\./, '').split('.')[0];
  return { kind: 'kind', actor: 'nation', start: 'start', end: 'end', altitude: 'altitude', attributes: 'attributes', times: 'file' }[name] ?? null;
}

function clearErrors() {
  for (const f of FIELDS) {
    $(`${f}-error`).textContent = '';
    const input = INPUT[f] === undefined ? $(f) : INPUT[f] && $(INPUT[f]);
    input?.removeAttribute('aria-invalid');
  }
}

function fieldError(field, message) {
  const box = $(`${field}-error`);
  box.textContent = box.textContent ? `${box.textContent}\n${message}` : message;
  const input = INPUT[field] === undefined ? $(field) : INPUT[field] && $(INPUT[field]);
  input?.setAttribute('aria-invalid', 'true');
}

const toInput = (iso) => new Date(iso).toISOString().slice(0, 16);
const fromInput = (value) => (value ? `${value}:00Z` : '');

function setGeometry(g, how) {
  geometry = g;
  const source = view.map.getSource('activity');
  source?.setData(g ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: g, properties: {} }] } : EMPTY);
  const count = g?.type === 'LineString' ? `track of ${g.coordinates.length} vertices` : g?.type === 'Polygon' ? `area of ${g.coordinates[0].length - 1} vertices` : g?.type === 'Point' ? 'point' : g?.type;
  $('geometry-status').textContent = g ? `${count[0].toUpperCase()}${count.slice(1)}, ${how}.` : 'No geometry yet.';
  if (g) fit(g);
}

function fit(g) {
  const b = new maplibregl.LngLatBounds();
  const walk = (c) => (typeof c[0] === 'number' ? b.extend([c[0], c[1]]) : c.forEach(walk));
  walk(g.coordinates);
  view.map.fitBounds(b, { padding: 120, maxZoom: 7, duration: 500 });
}

async function loadFile(file) {
  clearErrors();
  rawFile = null;
  const text = await file.text();
  let doc = null;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = null;
  }
  const feature = doc?.type === 'FeatureCollection' ? doc.features?.[0] : doc?.type === 'Feature' ? doc : null;
  if (!feature?.geometry?.type || !feature.properties) {
    rawFile = { name: file.name, text };
    $('geometry-status').textContent = `${file.name} is not an Activity GeoJSON file; asking the server why…`;
    await screen(); // the server's message, next to the file field
    return;
  }
  const { kind, actor, start, end, altitude, attributes, ...rest } = feature.properties;
  extra = { ...rest, actor: { ...(actor ?? {}) } };
  $('id').value = feature.id ?? '';
  if (kind) $('kind').value = kind;
  $('nation').value = actor?.nation ?? '';
  if (start && !Number.isNaN(Date.parse(start))) $('start').value = toInput(start);
  if (end && !Number.isNaN(Date.parse(end))) $('end').value = toInput(end);
  $('lower').value = altitude?.lower_m ?? '';
  $('upper').value = altitude?.upper_m ?? '';
  $('attributes').value = JSON.stringify(attributes ?? {});
  const others = (doc.features?.length ?? 1) - 1;
  setGeometry(feature.geometry, `from ${file.name}${others ? ` (the first of ${others + 1} activities)` : ''}`);
}

// The Activity GeoJSON the form describes; null (with the problem shown) when the form cannot be read.
function activity() {
  let attributes;
  try {
    attributes = JSON.parse($('attributes').value || '{}');
  } catch (err) {
    fieldError('attributes', `not JSON: ${err.message}`);
    return null;
  }
  const properties = {
    ...extra,
    kind: $('kind').value,
    actor: { ...(extra.actor ?? {}), nation: $('nation').value.trim().toUpperCase() },
    start: fromInput($('start').value),
    end: fromInput($('end').value),
    attributes,
  };
  const [lower, upper] = [$('lower').value, $('upper').value];
  if (lower !== '' || upper !== '') properties.altitude = { lower_m: lower === '' ? null : Number(lower), upper_m: upper === '' ? null : Number(upper) };
  return { type: 'FeatureCollection', features: [{ type: 'Feature', id: $('id').value, geometry, properties }] };
}

// The flat [lon, lat, lon, lat, ...] of a 2D geometry, or null (3D, or too many vertices for a link).
function linkedCoordinates(g) {
  const ring = g.type === 'Point' ? [g.coordinates] : g.type === 'LineString' ? g.coordinates : g.type === 'Polygon' && g.coordinates.length === 1 ? g.coordinates[0] : null;
  if (!ring || ring.length > MAX_LINKED || ring.some((c) => c.length !== 2)) return null;
  return ring.flatMap(([lon, lat]) => [Number(lon.toFixed(6)), Number(lat.toFixed(6))]);
}

function writeLink() {
  const q = new URLSearchParams();
  for (const id of FORM) if ($(id).value.trim() && !(id === 'attributes' && $(id).value.trim() === '{}')) q.set(id, $(id).value.trim());
  const flat = geometry && !rawFile ? linkedCoordinates(geometry) : null;
  if (flat) {
    q.set('shape', SHAPES[geometry.type]);
    q.set('coords', flat.join(','));
  }
  window.history.replaceState(null, '', `${window.location.pathname}?${q}`);
}

// The activity a link describes: the form filled, the shape drawn; true when there is a shape.
function readLink() {
  const q = new URLSearchParams(window.location.search);
  for (const id of FORM) if (q.has(id)) $(id).value = q.get(id);
  const flat = (q.get('coords') ?? '').split(',').filter(Boolean).map(Number);
  const pairs = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  if (flat.length % 2 || !flat.every(Number.isFinite) || !pairs.length) return false;
  const g = { point: { type: 'Point', coordinates: pairs[0] }, track: { type: 'LineString', coordinates: pairs }, area: { type: 'Polygon', coordinates: [pairs] } }[q.get('shape')];
  if (!g) return false;
  setGeometry(g, 'from the link');
  return true;
}

async function post(body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  try {
    const response = await fetch('/screen', { method: 'POST', headers, body });
    return { status: response.status, ok: response.ok, data: await response.json().catch(() => null) };
  } catch (err) {
    return { status: 0, ok: false, data: { error: { message: `the server could not be reached: ${err.message}` } } };
  }
}

function showFailure({ status, data }) {
  const error = data?.error ?? {};
  const message = error.message ?? `the server answered ${status}`;
  if (status === 401) return fieldError('submit', `Sign in to screen: the server answered 401 (${message}).`);
  if (status === 403) return fieldError('submit', `Your role may not screen (staff only): the server answered 403 (${message}).`);
  if (error.problems?.length) {
    for (const p of error.problems) {
      const field = fieldOf(p.field);
      fieldError(field ?? 'submit', field ? p.message : `${p.item}: ${p.field}: ${p.message}`);
    }
    return;
  }
  fieldError(rawFile ? 'file' : 'submit', message);
}

async function screen() {
  if (drawing?.editing) finishEdit();
  clearErrors();
  document.documentElement.dataset.screened = '';
  let body;
  if (rawFile) body = rawFile.text;
  else {
    if (!geometry) fieldError('geometry', 'Draw a point, a track or an area, or load a file.');
    const doc = activity();
    if (!doc || !geometry) return (document.documentElement.dataset.screened = 'error');
    body = JSON.stringify(doc);
  }
  $('submit').disabled = true;
  const answer = await post(body);
  $('submit').disabled = false;
  if (!answer.ok) {
    showFailure(answer);
    document.documentElement.dataset.screened = 'error';
    return;
  }
  if (!rawFile) writeLink();
  showDecision(answer.data);
}

function showDecision(doc) {
  const decision = doc.decisions[0];
  if (!decision) return;
  $('decision').hidden = false;
  renderOutcome($('outcome'), decision, doc.policy);
  renderObligations($('obligations'), decision.obligations);
  renderReasons($('reasons'), decision.reasons);
  const rows = exposures(decision.reasons);
  renderZones($('zones').tBodies[0], rows);
  $('profile-note').textContent = rows.length ? `— ${rows.length} exposure${rows.length === 1 ? '' : 's'} of ${decision.activity}` : '— none';
  view.map.getSource('exposures').setData({
    type: 'FeatureCollection',
    features: rows.flatMap((r, i) => [
      { type: 'Feature', geometry: { type: 'Point', coordinates: r.where }, properties: { role: 'entry', n: i + 1, zone: r.zone } },
      ...(r.exit_where ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: r.exit_where }, properties: { role: 'exit', n: i + 1, zone: r.zone } }] : []),
    ]),
  });
  showBackdrop();
  view.map.once('idle', () => (document.documentElement.dataset.screened = decision.outcome));
  $('decision').scrollIntoView({ block: 'start', behavior: 'smooth' });
}

// Under the activity: the decision map for its nation and kind on the day it starts.
async function showBackdrop() {
  const start = fromInput($('start').value);
  const nation = $('nation').value.trim().toUpperCase();
  if (rawFile || !start || !nation) return;
  try {
    view.setDecision(await cachedJSON('/decision-maps', { actor: nation, kind: $('kind').value, at: osloDay(start) }));
    $('map-key-note').textContent = `Under it: the decision map, ${nation} ${$('kind').value.replaceAll('_', ' ')}, ${osloDay(start)}`;
  } catch {
    view.setDecision(EMPTY); // the form's errors are the server's answer to the screening itself
  }
}

function addLayers() {
  const map = view.map;
  map.addSource('activity', { type: 'geojson', data: EMPTY });
  map.addSource('exposures', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'activity-fill', type: 'fill', source: 'activity', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#2f6f9f', 'fill-opacity': 0.18 } });
  map.addLayer({ id: 'activity-casing', type: 'line', source: 'activity', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#ffffff', 'line-width': 6 } });
  map.addLayer({ id: 'activity-line', type: 'line', source: 'activity', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#14273a', 'line-width': 3 } });
  map.addLayer({ id: 'activity-point', type: 'circle', source: 'activity', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 5, 'circle-color': '#14273a', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'exposure-exit', type: 'circle', source: 'exposures', filter: ['==', ['get', 'role'], 'exit'], paint: { 'circle-radius': 11, 'circle-color': 'rgba(255,255,255,0)', 'circle-stroke-color': '#b3261e', 'circle-stroke-width': 2.5 } });
  map.addLayer({ id: 'exposure-entry', type: 'circle', source: 'exposures', filter: ['==', ['get', 'role'], 'entry'], paint: { 'circle-radius': 6, 'circle-color': '#14273a', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  const key = el('div', 'map-key');
  const line = (cls, text) => {
    const p = el('span', 'legend-line');
    p.append(el('span', cls), text);
    return p;
  };
  key.append(line('track', 'the activity'), line('pin entry', 'entry into a zone'), line('pin exit', 'exit from a zone'), el('span', 'hint', ''));
  key.lastChild.id = 'map-key-note';
  $('map').append(key);
}

function wire() {
  $('activity').addEventListener('submit', (e) => {
    e.preventDefault();
    screen();
  });
  $('file').addEventListener('change', (e) => e.target.files[0] && loadFile(e.target.files[0]));
  const panel = document.querySelector('.panel');
  for (const target of [panel, $('map')]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      panel.classList.add('dragging');
    });
    target.addEventListener('dragleave', () => panel.classList.remove('dragging'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      panel.classList.remove('dragging');
      const file = e.dataTransfer?.files?.[0];
      if (file) loadFile(file);
    });
  }
  // the form's fields edit the activity: a file that was not GeoJSON is forgotten
  for (const id of ['id', 'nation', 'kind', 'start', 'end', 'lower', 'upper', 'attributes']) $(id).addEventListener('input', () => (rawFile = null));
}

let drawing = null;

// Whether any position of `coordinates` has a third value (an altitude).
const hasAltitudes = (c) => (typeof c[0] === 'number' ? c.length > 2 : c.some(hasAltitudes));

// The shape being edited handed back to the view.
function finishEdit() {
  const g = drawing.done();
  $('edit').setAttribute('aria-pressed', 'false');
  $('edit').textContent = 'Edit';
  if (g) setGeometry(g, 'edited on the map');
}

function startEdit() {
  clearErrors();
  if (!geometry) return fieldError('geometry', 'Draw a point, a track or an area, or load a file, before editing it.');
  if (rawFile || hasAltitudes(geometry.coordinates)) {
    return fieldError('geometry', 'A shape with altitudes (a track from a file) is edited in its file: the map edits longitude and latitude only.');
  }
  const problem = drawing.edit(geometry);
  if (problem) return fieldError('geometry', `This shape cannot be edited on the map: ${problem}.`);
  view.map.getSource('activity').setData(EMPTY); // Terra Draw draws it while it is edited
  view.map.getSource('exposures').setData(EMPTY); // the last screening's markers are for the old shape
  $('edit').setAttribute('aria-pressed', 'true');
  $('edit').textContent = 'Done';
  $('geometry-status').textContent = 'Editing: drag a vertex, a midpoint (a new vertex) or the shape; press Done when finished.';
}

function wireDrawing() {
  const buttons = [...document.querySelectorAll('.draw [data-mode]')];
  const press = (mode) => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
  drawing = createDrawing(view.map, (g) => {
    rawFile = null;
    $('file').value = '';
    press(null);
    drawing.mode(null);
    setGeometry(g, 'drawn on the map');
  });
  $('edit').addEventListener('click', () => (drawing.editing ? finishEdit() : startEdit()));
  for (const b of buttons) {
    b.addEventListener('click', () => {
      if (drawing.editing) finishEdit();
      const on = b.getAttribute('aria-pressed') !== 'true';
      press(on ? b.dataset.mode : null);
      drawing.mode(on ? b.dataset.mode : null);
      $('geometry-status').textContent = on
        ? { point: 'Click the map to place the point.', linestring: 'Click to add vertices; click the last one again to finish.', polygon: 'Click to add corners; click the first one to close the area.' }[b.dataset.mode]
        : 'Drawing stopped.';
    });
  }
  $('clear').addEventListener('click', () => {
    press(null);
    drawing.mode(null);
    $('edit').setAttribute('aria-pressed', 'false');
    $('edit').textContent = 'Edit';
    rawFile = null;
    setGeometry(null);
    view.map.getSource('exposures').setData(EMPTY);
  });
}

function defaults() {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  $('id').value = 'activity-1';
  $('nation').value = 'USA';
  $('start').value = `${day}T08:00`;
  $('end').value = `${day}T12:00`;
  if (!token()) {
    $('auth-note').hidden = false;
    $('auth-note').textContent = 'Not signed in: sign in to screen. Screening needs an API token of a staff role; the server answers 401 without one.';
  }
}

async function start() {
  defaults();
  wire();
  try {
    const [summary, { nations }] = await Promise.all([getJSON('/policies'), getJSON('/web/nations.json')]);
    policy = summary;
    $('nations').replaceChildren(...nations.map((n) => Object.assign(document.createElement('option'), { value: n.code, label: n.name })));
    const pill = el('span', 'pill');
    pill.append(el('em', '', 'Policy'), ` ${policy.id}`);
    $('policy').replaceChildren(pill);
  } catch (err) {
    fieldError('submit', err.message);
  }
  await view.ready;
  view.map.setPaintProperty('decision-fill', 'fill-opacity', 0.45); // a backdrop: the activity is the subject
  addLayers();
  wireDrawing();
  const linked = readLink();
  document.documentElement.dataset.ready = 'true';
  if (linked && token()) await screen();
}

start();
