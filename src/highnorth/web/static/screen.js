// The screen view: an activity from a dropped or picked Activity GeoJSON file or drawn on the map,
// with its kind, nation, times (UTC), altitude band and attributes from the form, sent to
// `POST /screen` with the signed-in token; the decision, its obligations and reasons beside the
// map, each exposure's entry and exit on the map and the zones crossed in a table under it.
// A 422's problems go next to the field they name. Text only, never HTML.
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

function wireDrawing() {
  const buttons = [...document.querySelectorAll('.draw [data-mode]')];
  const press = (mode) => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
  const drawing = createDrawing(view.map, (g) => {
    rawFile = null;
    $('file').value = '';
    press(null);
    drawing.mode(null);
    setGeometry(g, 'drawn on the map');
  });
  for (const b of buttons) {
    b.addEventListener('click', () => {
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
  document.documentElement.dataset.ready = 'true';
}

start();
