// The first decision map, asked for as soon as the page is parsed: app.js runs once MapLibre
// (1.1 MB of JavaScript) is loaded and run, this module needs only two small ones. app.js takes
// the answer from here (`takeFirst`), once.
import { getJSON } from './api.js';
import { mapParams, readState } from './state.js';

let first = null;
try {
  const params = mapParams(readState());
  const promise = getJSON('/decision-maps', params);
  promise.catch(() => {}); // app.js shows the error when it takes the answer
  first = { key: JSON.stringify(params), promise };
} catch {
  first = null; // app.js asks again and shows why
}

// The promise of the first map if `params` are the ones asked for here (only once), else null.
export function takeFirst(params) {
  if (!first || first.key !== JSON.stringify(params)) return null;
  const { promise } = first;
  first = null;
  return promise;
}
