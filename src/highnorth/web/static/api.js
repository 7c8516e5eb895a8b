// The server's public API, read from the page. Errors keep the server's message in words and the
// field it names (`actor: unknown nation ...` belongs next to the nation input).

export class ApiError extends Error {
  constructor(message, field, status, problems = []) {
    super(message);
    this.field = field;
    this.status = status;
    this.problems = problems; // [{item, field, message}] for bad input (422)
  }
}

const FIELDS = {
  actor: 'nation', kind: 'kind', at: 'date', from: 'date', to: 'date', lower_m: 'lower', upper_m: 'upper', attributes: 'attributes',
};

// The API token the user signed in with, kept for this browser tab only (sessionStorage).
const TOKEN_KEY = 'highnorth.token';
export const token = () => window.sessionStorage.getItem(TOKEN_KEY);
export const setToken = (value) =>
  value ? window.sessionStorage.setItem(TOKEN_KEY, value) : window.sessionStorage.removeItem(TOKEN_KEY);

function headers(extra = {}) {
  const out = { Accept: 'application/json', ...extra };
  if (token()) out.Authorization = `Bearer ${token()}`;
  return out;
}

export async function getJSON(path, params = {}) {
  return request(path, params, { headers: headers() });
}

// A JSON body sent with `method` (POST by default), with the token when signed in; `extra`
// headers (e.g. If-Match) added.
export async function sendJSON(path, body, { method = 'POST', params = {}, extra = {} } = {}) {
  return request(path, params, {
    method,
    headers: headers({ 'Content-Type': 'application/json', ...extra }),
    body: JSON.stringify(body),
  });
}

// A body sent as it is (e.g. the text of a GeoJSON file the user chose), so the server judges it
// and its message says what is wrong.
export async function sendText(path, text, { params = {}, type = 'application/json' } = {}) {
  return request(path, params, { method: 'POST', headers: headers({ 'Content-Type': type }), body: text });
}

// The answer and its ETag (a request's version, to send back as If-Match).
export async function getWithETag(path, params = {}) {
  let etag = null;
  const body = await request(path, params, { headers: headers() }, (response) => {
    etag = response.headers.get('ETag');
  });
  return { body, etag };
}

async function request(path, params, init, seen = () => {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiError(`the server could not be reached: ${err.message}`, null, 0);
  }
  seen(response);
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message ?? `the server answered ${response.status}`;
    const field = FIELDS[message.split(':')[0]] ?? null;
    throw new ApiError(message, field, response.status, body?.error?.problems ?? []);
  }
  return body;
}

// One answer per distinct URL: the decision map of a day is asked for once.
const cache = new Map();

export function cachedJSON(path, params = {}) {
  const key = `${path}?${new URLSearchParams(params)}`;
  if (!cache.has(key)) {
    const promise = getJSON(path, params);
    promise.catch(() => cache.delete(key));
    cache.set(key, promise);
  }
  return cache.get(key);
}
