// The view's state lives in the query string, so a URL bookmarks the view and back/forward work.
// nation, kind, at (a date, YYYY-MM-DD, meaning 00:00 Europe/Oslo), place (lon,lat), the altitude
// band (lower, upper: metres AMSL, empty for SFC / UNL), attributes (a JSON object, as typed) and
// the layers shown. Values that are the default are left out of the URL.

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function osloDate(offsetDays = 0) {
  const now = new Date(Date.now() + offsetDays * 86_400_000);
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(now);
}

// The layers a user may hide, all shown by default.
export const LAYERS = ['land', 'outlines', 'assumed'];

export function readState(search = window.location.search) {
  const q = new URLSearchParams(search);
  const place = (q.get('place') ?? '').split(',').map(Number);
  const layers = q.has('layers') ? q.get('layers').split(',').filter((l) => LAYERS.includes(l)) : LAYERS;
  return {
    nation: (q.get('nation') ?? 'USA').toUpperCase(),
    kind: q.get('kind') ?? 'flight',
    at: DATE.test(q.get('at') ?? '') ? q.get('at') : osloDate(0),
    place: place.length === 2 && place.every(Number.isFinite) ? place : null,
    // as typed: the server judges them and its message is shown next to the field
    lower: q.get('lower') ?? '',
    upper: q.get('upper') ?? '',
    attributes: q.get('attributes') ?? '',
    layers,
  };
}

// The `GET /decision-maps` parameters of a question: the hypothetical activity's nation, kind,
// date, altitude band and attributes; `display` maps are simplified for drawing.
export function mapParams({ nation, kind, at, lower, upper, attributes }, simplify = 'display') {
  return {
    actor: nation,
    kind,
    at,
    ...(lower !== '' ? { lower_m: lower } : {}),
    ...(upper !== '' ? { upper_m: upper } : {}),
    ...(attributes !== '' ? { attributes } : {}),
    ...(simplify === 'exact' ? {} : { simplify }),
  };
}

export function writeState(state, { replace = false } = {}) {
  const q = new URLSearchParams({ nation: state.nation, kind: state.kind, at: state.at });
  for (const key of ['lower', 'upper', 'attributes']) if (state[key]) q.set(key, state[key]);
  if (state.layers.length !== LAYERS.length) q.set('layers', state.layers.join(','));
  const place = state.place ? `&place=${state.place.map((v) => v.toFixed(4)).join(',')}` : ''; // numbers: no escaping
  const url = `${window.location.pathname}?${q}${place}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
}

// Days since 1970-01-01 for the slider, and back.
export const dayOf = (date) => Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
export const dateOf = (day) => new Date(day * 86_400_000).toISOString().slice(0, 10);

// `2025-05-21T22:00:00Z` -> `2025-05-21 22:00 UTC · 2025-05-22 00:00 Europe/Oslo`
export function utcAndOslo(iso) {
  const t = new Date(iso);
  const fmt = (zone) =>
    new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    }).format(t);
  return `${fmt('UTC')} UTC · ${fmt('Europe/Oslo')} Europe/Oslo`;
}

// The day (Europe/Oslo) of a time, as YYYY-MM-DD.
export const osloDay = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(iso));

// The instant (ms since the epoch) a date's 00:00 Europe/Oslo is, e.g. 2025-05-21 -> 2025-05-20T22:00Z.
export function osloMidnight(date) {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Oslo', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    }).formatToParts(new Date(guess)).map((p) => [p.type, p.value]),
  );
  const wall = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:00Z`);
  return guess - (wall - guess);
}
