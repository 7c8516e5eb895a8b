// The server's public API, read from the page. Errors keep the server's message in words and the
// field it names (`actor: unknown nation ...` belongs next to the nation input).

export class ApiError extends Error {
  constructor(message, field, status) {
    super(message);
    this.field = field;
    this.status = status;
  }
}

const FIELDS = { actor: 'nation', kind: 'kind', at: 'date', from: 'date', to: 'date' };

export async function getJSON(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new ApiError(`the server could not be reached: ${err.message}`, null, 0);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message ?? `the server answered ${response.status}`;
    const field = FIELDS[message.split(':')[0]] ?? null;
    throw new ApiError(message, field, response.status);
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
