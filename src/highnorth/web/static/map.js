// The map: land from the project's own dataset, the decision layer filled by outcome with a
// pattern and an outline per outcome (colour is never the only cue), zones whose boundary is an
// assumption dashed. No tiles, glyphs or sprites from anywhere: labels are HTML markers.
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';

export const OUTCOMES = [
  { id: 'permitted', label: 'Permitted', text: 'the rules allow it', color: '#2f9e55', ink: '#1d6b38' },
  { id: 'conditional', label: 'Conditional', text: 'allowed with obligations', color: '#e7b416', ink: '#8a6a00' },
  { id: 'referred', label: 'Referred', text: 'decided case by case', color: '#ec7a1c', ink: '#a24c05' },
  { id: 'denied', label: 'Denied', text: 'the rules forbid it', color: '#cc3232', ink: '#8c1717' },
];
const LABELS = [
  ['Norway', [13.2, 65.6]], ['Sweden', [17.2, 64.6]], ['Finland', [26.6, 64.2]], ['Russia', [38.5, 66.2]],
  ['Svalbard', [17.2, 78.6]], ['Barents Sea', [37.5, 73.2]], ['Norwegian Sea', [4.0, 68.5]],
];
const EMPTY = { type: 'FeatureCollection', features: [] };
// The layers a user may hide (state.js LAYERS) and the map layers each one is.
const LAYER_IDS = { land: ['land', 'borders'], outlines: ['decision-line'], assumed: ['assumed-line'] };

// A 16×16 RGBA tile: the outcome's colour, translucent, with its own marks (none, dots, hatch, cross-hatch).
function pattern(outcome, index) {
  const size = 16;
  const data = new Uint8Array(size * size * 4);
  const hex = (i) => parseInt(outcome.color.slice(i, i + 2), 16);
  const ink = (i) => parseInt(outcome.ink.slice(i, i + 2), 16);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const mark =
        (index === 1 && (x % 8 === 3 || x % 8 === 4) && (y % 8 === 3 || y % 8 === 4)) ||
        (index === 2 && (x + y) % 8 < 2) ||
        (index === 3 && ((x + y) % 8 < 2 || (x - y + 16) % 8 < 2));
      const o = (y * size + x) * 4;
      const [r, g, b, a] = mark ? [ink(1), ink(3), ink(5), 200] : [hex(1), hex(3), hex(5), 95];
      data.set([r, g, b, a], o);
    }
  }
  return { width: size, height: size, data };
}

// `landAfterDecision`: the land (973 KB, ~0.4 s to tile on software WebGL) is set once the first
// decision map is on screen (the decision map view, whose first draw is what counts); every other
// view has it as soon as the style is there.
export function createMap(container, onClick, { landAfterDecision = false } = {}) {
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: {
        land: { type: 'geojson', data: EMPTY }, // the basemap, set once the first decision map is drawn
        decision: { type: 'geojson', data: EMPTY },
        assumed: { type: 'geojson', data: EMPTY },
      },
      layers: [
        { id: 'sea', type: 'background', paint: { 'background-color': '#dce6ee' } },
        {
          id: 'land', type: 'fill', source: 'land', filter: ['!=', ['get', 'iso_a3'], 'NOR-mainland'],
          paint: { 'fill-color': '#f6f3ec' },
        },
        {
          id: 'decision-fill', type: 'fill', source: 'decision',
          paint: { 'fill-pattern': ['concat', 'outcome-', ['get', 'outcome']] },
        },
        {
          id: 'decision-line', type: 'line', source: 'decision',
          paint: {
            'line-color': ['match', ['get', 'outcome'], ...OUTCOMES.flatMap((o) => [o.id, o.ink]), '#555'],
            'line-width': ['match', ['get', 'outcome'], 'denied', 1.6, 'referred', 1.4, 0.9],
          },
        },
        {
          id: 'borders', type: 'line', source: 'land', filter: ['!=', ['get', 'iso_a3'], 'NOR-mainland'],
          paint: { 'line-color': '#8f8a80', 'line-width': 0.6 },
        },
        {
          id: 'assumed-line', type: 'line', source: 'assumed',
          paint: { 'line-color': '#5a3fc0', 'line-width': 2.2, 'line-dasharray': [2.5, 1.5] },
        },
      ],
    },
    bounds: [[-4, 62.5], [43, 81]],
    maxBounds: [[-40, 45], [90, 86]],
    attributionControl: false,
    fadeDuration: 0, // no label or symbol fade: nothing to wait for after the data is drawn
    dragRotate: false,
    pitchWithRotate: false,
  });
  // The sources exist once the style is parsed: the decision map is set then (not at `load`),
  // and the land only after the first decision map is on screen.
  const ready = new Promise((resolve) =>
    map.once('style.load', () => {
      OUTCOMES.forEach((o, i) => map.addImage(`outcome-${o.id}`, pattern(o, i), { pixelRatio: 2 }));
      resolve();
    }),
  );
  let shown = null; // the decision map set last
  let landSet = false;
  const setLand = () => {
    if (!landSet) map.getSource('land').setData('/web/basemap.geojson');
    landSet = true;
  };
  if (!landAfterDecision) ready.then(setLand);
  let shownIdle = Promise.resolve(null); // performance.now() at the first idle after it was set
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(
    new maplibregl.AttributionControl({ compact: false, customAttribution: 'Land: Natural Earth (public domain)' }),
    'bottom-right',
  );
  for (const [name, lngLat] of LABELS) {
    const el = document.createElement('div');
    el.className = 'map-label';
    el.textContent = name;
    new maplibregl.Marker({ element: el }).setLngLat(lngLat).addTo(map);
  }
  const selected = new maplibregl.Marker({ color: '#1f3b57' });
  map.on('click', (e) => onClick([e.lngLat.lng, e.lngLat.lat]));
  map.getCanvas().setAttribute('aria-label', 'Decision map; click a place to list the rules that apply there');
  return {
    map,
    ready,
    // Sets `doc` (not again if it is the one set last); the promise of the time of the first
    // `idle` after it was set: the decision map on screen.
    setDecision(doc) {
      if (doc !== shown) {
        shown = doc;
        shownIdle = new Promise((resolve) =>
          map.once('idle', () => {
            resolve(performance.now());
            // the land (973 KB, ~0.4 s to tile on software WebGL) after the first decision map
            setLand();
          }),
        );
        map.getSource('decision').setData(doc);
      }
      return shownIdle;
    },
    setAssumed(doc) {
      map.getSource('assumed').setData(doc);
    },
    // Shows the named layers (`land`, `outlines`, `assumed`) and hides the others.
    setLayers(shown) {
      for (const [name, ids] of Object.entries(LAYER_IDS)) {
        for (const id of ids) map.setLayoutProperty(id, 'visibility', shown.includes(name) ? 'visible' : 'none');
      }
    },
    select(place) {
      if (place) selected.setLngLat(place).addTo(map);
      else selected.remove();
    },
  };
}

// Whether a GeoJSON Polygon or MultiPolygon contains a point (even-odd over every ring).
export function contains(geometry, [x, y]) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let inside = false;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}
