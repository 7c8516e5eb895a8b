// The decision map view: a nation, an activity kind and a date in, the region coloured by what
// the rules say out, with the rules that apply at a clicked place. State in the query string.
import { ApiError, cachedJSON, getJSON } from './api.js';
import { contains, createMap } from './map.js';
import { clearFieldErrors, showFieldError } from './fields.js';
import { renderNav } from './nav.js';
import { renderLegend, renderPlace } from './panel.js';
import { takeFirst } from './early.js';
import {
  LAYERS, dateOf, dayOf, mapParams, osloDate, osloDay, osloMidnight, readState, utcAndOslo, writeState,
} from './state.js';

const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };
const FIELDS = ['nation', 'kind', 'date', 'lower', 'upper', 'attributes', 'place-input'];

let state = readState();
let policy = null;
let zones = new Map(); // zone id -> its list entry (name, basis, source)
let nations = new Map(); // code -> {name, changes}
let current = null; // the decision map on screen
let sequence = 0; // answers to older questions are dropped
// One map per period: between two of the nation's `periods` (version starts, rule validity,
// membership changes, zone validity) the decision map is the same, so a date within a period
// drawn before is drawn from memory. `display` maps are simplified for drawing (shared
// boundaries kept); the panel reads the exact map of the period.
const maps = new Map(); // `${simplify}|${nation}|${kind}|${period or at}` -> Promise of the GeoJSON

renderNav();

const view = createMap(
  $('map'),
  (place) => {
    state = { ...state, place };
    writeState(state);
    showPlace();
  },
  { landAfterDecision: true },
);
window.highnorthMap = view.map; // for the browser test (queryRenderedFeatures)
// For bench/web_load.py: `drawn` is when the last question's map was on screen (performance.now()).
window.highnorthTimings = { start: performance.now(), drawn: null, drawnKey: null };

// The start of the period holding `date` (00:00 Europe/Oslo), as the server wrote it, or null.
function periodOf(nation, date) {
  const periods = nations.get(nation)?.periods;
  if (!periods) return null;
  const t = osloMidnight(date);
  let found = null;
  for (const p of periods) if (Date.parse(p) <= t) found = p;
  return found;
}

// The question beyond nation, kind and date (altitude band, attributes), as part of a cache key.
const extras = (question) => {
  const { actor, kind, at, simplify, ...rest } = mapParams(question);
  return JSON.stringify(rest);
};

function mapOf(question, simplify = 'display') {
  const { nation, kind, at } = question;
  const period = periodOf(nation, at);
  const extra = extras(question);
  const byAt = `${simplify}|${nation}|${kind}|${extra}|${at}`;
  const key = period ? `${simplify}|${nation}|${kind}|${extra}|${period}` : byAt;
  if (!maps.has(key)) {
    const params = mapParams(question, simplify);
    const promise = maps.get(byAt) ?? takeFirst(params) ?? getJSON('/decision-maps', params);
    promise.catch(() => maps.delete(key));
    maps.set(key, promise);
  }
  return maps.get(key);
}

const settled = new Set(); // keys of maps that arrived
const settledKey = (question, period) =>
  `display|${question.nation}|${question.kind}|${extras(question)}|${period}`;
function inMemory(question) {
  const period = periodOf(question.nation, question.at);
  return period !== null && settled.has(settledKey(question, period));
}

const clearErrors = () => clearFieldErrors(FIELDS);

function showError(err) {
  showFieldError(err instanceof ApiError && FIELDS.includes(err.field) ? err.field : null, err.message);
}

function syncControls() {
  $('nation').value = state.nation;
  $('kind').value = state.kind;
  $('date').value = state.at;
  $('slider').value = String(dayOf(state.at));
  $('lower').value = state.lower;
  $('upper').value = state.upper;
  $('attributes').value = state.attributes;
  for (const box of document.querySelectorAll('#layers input')) box.checked = state.layers.includes(box.value);
  if (state.lower || state.upper || state.attributes || state.layers.length !== LAYERS.length) $('more').open = true;
  view.ready.then(() => view.setLayers(state.layers));
  drawTicks();
}

function drawTicks() {
  const slider = $('slider');
  const [min, max] = [Number(slider.min), Number(slider.max)];
  const marks = policy.versions.map((v) => ({ day: dayOf(osloDay(v.effective)), label: v.version, kind: 'version' }));
  for (const t of nations.get(state.nation)?.changes ?? []) {
    const day = dayOf(osloDay(t));
    if (day > min) marks.push({ day, label: '', kind: 'membership' });
  }
  $('ticks').replaceChildren(
    ...marks.map((m) => Object.assign(document.createElement('option'), { value: String(m.day) })),
  );
  let lastLabelled = -Infinity;
  let row = 0;
  marks.sort((a, b) => a.day - b.day);
  $('tick-labels').replaceChildren(
    ...marks.map((m) => {
      const tick = document.createElement('span');
      const at = ((m.day - min) / (max - min)) * 100;
      if (m.label) {
        row = at - lastLabelled < 14 ? 1 - row : 0; // labels too close take turns above and below
        lastLabelled = at;
      }
      tick.className = `tick ${m.kind} ${m.label && row ? 'low' : ''}`;
      tick.textContent = m.label;
      tick.title = m.kind === 'version' ? `version ${m.label} from ${dateOf(m.day)}` : `membership change ${dateOf(m.day)}`;
      tick.style.left = `${at}%`;
      return tick;
    }),
  );
}

function showPolicy(version) {
  const v = policy.versions.find((x) => x.version === version);
  const parts = [['Policy', policy.id], ['Version', version], ['Hash', v ? `${v.hash.slice(0, 19)}…` : '']];
  $('policy').replaceChildren(
    ...parts.map(([name, value]) => {
      const item = document.createElement('span');
      item.className = 'pill';
      item.append(Object.assign(document.createElement('em'), { textContent: name }), ` ${value}`);
      return item;
    }),
  );
  $('policy').title = v ? `${v.title}\nversion hash ${v.hash}\npolicy hash ${policy.hash}` : '';
}

// The periods before and after the one on screen, asked for once the map is drawn, so the
// slider crosses a boundary from memory too.
function prefetchNeighbours(question) {
  const periods = (nations.get(question.nation)?.periods ?? []).filter((p) => !p.startsWith('9999'));
  const i = periods.indexOf(periodOf(question.nation, question.at));
  if (i < 0) return;
  for (const p of [periods[i - 1], periods[i + 1]]) {
    if (!p) continue;
    const key = settledKey(question, p);
    if (!settled.has(key)) mapOf({ ...question, at: osloDay(p) }).then(() => settled.add(key), () => {});
  }
}

async function render() {
  const mine = ++sequence;
  clearErrors();
  syncControls();
  document.documentElement.dataset.rendered = '';
  const key = `${state.nation}/${state.kind}/${state.at}`;
  let doc;
  try {
    doc = await mapOf(state);
    const period = periodOf(state.nation, state.at);
    if (period) settled.add(settledKey(state, period));
  } catch (err) {
    if (mine !== sequence) return;
    current = null;
    view.setDecision(EMPTY);
    view.setAssumed(EMPTY);
    assumedShown = null;
    renderLegend($('legend'), null);
    $('when').textContent = '';
    showError(err);
    document.documentElement.dataset.rendered = 'error';
    return;
  }
  if (mine !== sequence) return;
  current = doc;
  renderLegend($('legend'), doc);
  const first = doc.features[0]?.properties;
  if (first) {
    // the date asked, not the one the period's map was first asked for
    $('when').textContent = `Decided for ${utcAndOslo(new Date(osloMidnight(state.at)).toISOString())}`;
    showPolicy(first.version);
  }
  const drawn = (at) => {
    if (mine !== sequence) return;
    const timings = window.highnorthTimings;
    timings.firstIdle ??= at - timings.start;
    timings.firstDrawn ??= at; // since navigation: the idle with the features drawn
    [timings.drawn, timings.drawnKey] = [performance.now(), key];
    document.documentElement.dataset.rendered = key;
    prefetchNeighbours(state);
    // after the decision map is on screen: the outlines of assumed zones are large (Norway's
    // realm is 0.3 MB gzipped) and the worker would tile them before the first draw
    showAssumed(doc, mine);
  };
  view.setDecision(doc).then((at) => drawn(at ?? performance.now()));
  showPlace();
}

const rulesOf = async (version) =>
  new Map((await cachedJSON(`/policies/versions/${encodeURIComponent(version)}`)).rules.map((r) => [r.id, r]));
const zoneGeometry = async (id) => (await cachedJSON(`/zones/${encodeURIComponent(id)}`)).features[0]?.geometry;

// The zones the map's rules name whose boundary is an assumption, dashed on the map.
let assumedShown = null; // the ids of the assumed zones on the map, as a key
async function showAssumed(doc, mine) {
  try {
    const version = doc.features[0]?.properties.version;
    if (!version) {
      assumedShown = null;
      return view.setAssumed(EMPTY);
    }
    const rules = await rulesOf(version);
    const ids = new Set(
      doc.features.flatMap((f) => f.properties.rules).flatMap((id) => (rules.has(id) ? [...rules.get(id).zones, ...rules.get(id).also_in] : [])),
    );
    const assumed = [...ids].filter((id) => zones.get(id)?.basis === 'assumption').sort();
    // the same zones as on the map: nothing to set (the worker would tile them again, ~0.1–0.3 s
    // on software WebGL, and delay the next map)
    if (assumed.join('|') === assumedShown) return;
    const geometries = await Promise.all(assumed.map(zoneGeometry));
    if (mine !== sequence) return;
    assumedShown = assumed.join('|');
    view.setAssumed({
      type: 'FeatureCollection',
      features: geometries.map((geometry, i) => ({ type: 'Feature', geometry, properties: { id: assumed[i] } })),
    });
  } catch (err) {
    showError(err);
  }
}

async function showPlace() {
  const box = $('place');
  view.select(state.place);
  $('place-hint').hidden = Boolean(state.place);
  if (state.place) $('place-input').value = `${state.place[1].toFixed(4)}, ${state.place[0].toFixed(4)}`;
  if (!state.place || !current) return box.replaceChildren();
  const shown = current;
  let doc;
  try {
    doc = await mapOf(state, 'exact'); // the exact geometry, not the one drawn
  } catch (err) {
    return showError(err);
  }
  if (shown !== current) return;
  const feature = doc.features.find((f) => contains(f.geometry, state.place));
  if (!feature) {
    box.replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: 'Outside the region this policy covers.' }));
    return;
  }
  try {
    const rules = await rulesOf(feature.properties.version);
    const candidates = feature.properties.rules.filter((id) => rules.has(id)).map((id) => rules.get(id));
    const here = [];
    for (const rule of candidates) {
      const geometries = await Promise.all(rule.zones.map(zoneGeometry));
      if (geometries.some((g) => g && contains(g, state.place))) here.push(rule);
    }
    if (shown !== current) return;
    renderPlace(box, {
      outcome: feature.properties.outcome, place: state.place, rules: here, zones, defaultEffect: policy.default_effect,
    });
  } catch (err) {
    showError(err);
  }
}

// `69.65, 18.96` (latitude, longitude) -> [lon, lat], or null.
function parsePlace(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite)) return null;
  const [lat, lon] = parts;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lon, lat] : null;
}

// A place chosen from the keyboard: selected, listed and brought into view.
function choosePlace(place) {
  clearFieldErrors(['place-input']);
  state = { ...state, place };
  writeState(state);
  view.map.easeTo({ center: place, duration: 300 });
  showPlace();
}

function change(patch, { replace = false } = {}) {
  state = { ...state, ...patch };
  writeState(state, { replace });
  render();
}

function wire() {
  $('question').addEventListener('submit', (e) => e.preventDefault());
  $('nation').addEventListener('change', (e) => change({ nation: e.target.value.trim().toUpperCase() }));
  $('kind').addEventListener('change', (e) => change({ kind: e.target.value }));
  $('date').addEventListener('change', (e) => e.target.value && change({ at: e.target.value }));
  $('today').addEventListener('click', () => change({ at: osloDate(0) }));
  for (const id of ['lower', 'upper', 'attributes']) {
    $(id).addEventListener('change', (e) => change({ [id]: e.target.value.trim() }));
  }
  $('layers').addEventListener('change', () => {
    state = { ...state, layers: [...document.querySelectorAll('#layers input:checked')].map((box) => box.value) };
    writeState(state);
    view.setLayers(state.layers);
  });
  $('place-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const place = parsePlace($('place-input').value);
    if (!place) {
      showFieldError('place-input', 'place: expected `latitude, longitude` in degrees, e.g. `69.65, 18.96`');
      return;
    }
    choosePlace(place);
  });
  $('place-centre').addEventListener('click', () => {
    const { lng, lat } = view.map.getCenter();
    choosePlace([lng, lat]);
  });
  $('tomorrow').addEventListener('click', () => change({ at: osloDate(1) }));
  let dragging = false;
  let timer = null;
  $('slider').addEventListener('input', (e) => {
    const at = dateOf(Number(e.target.value));
    $('date').value = at;
    clearTimeout(timer);
    window.highnorthTimings.input = performance.now();
    // a period already in memory is drawn at once; a new one is asked for when the slider rests
    if (inMemory({ ...state, at })) change({ at }, { replace: dragging });
    else timer = setTimeout(() => change({ at }, { replace: dragging }), 60);
    dragging = true;
  });
  $('slider').addEventListener('change', () => {
    dragging = false;
  });
  window.addEventListener('popstate', () => {
    state = readState();
    render();
  });
}

async function start() {
  // Asked for while the page loads (by date: the periods are not known yet) and drawn as soon as
  // it and the map's style are there, before the policy, zone and nation lists (the legend, the
  // ticks and the panel follow in render()).
  const early = mapOf(state);
  Promise.all([early, view.ready]).then(([doc]) => view.setDecision(doc), () => {});
  try {
    const [summary, zoneList, nationList] = await Promise.all([
      getJSON('/policies'), getJSON('/zones'), getJSON('/web/nations.json'),
    ]);
    policy = summary;
    zones = new Map(zoneList.zones.map((z) => [z.id, z]));
    nations = new Map(nationList.nations.map((n) => [n.code, n]));
  } catch (err) {
    $('policy').textContent = 'The policy could not be read.';
    showError(err);
    return;
  }
  $('nations').replaceChildren(
    ...[...nations].map(([code, n]) => Object.assign(document.createElement('option'), { value: code, label: n.name })),
  );
  const first = policy.versions[0].effective.slice(0, 4);
  $('slider').min = String(dayOf(`${Number(first) - 1}-01-01`));
  $('slider').max = String(dayOf(osloDate(366)));
  wire();
  syncControls();
  await view.ready;
  await render();
}

start();
