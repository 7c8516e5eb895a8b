// The exercise report view: a plan chosen from a file (POST /exercises/report) or a filed
// exercise's id (GET /exercises/{id}/report), asked for as the report's HTML page — the same page
// `highnorth exercise report --format html` writes, which has no script — and shown here: its
// body's elements imported into this page, without its inline style (exercises.css stands in for
// it). The server's errors are shown next to the form, every problem of the plan listed as text.
import { token } from './api.js';
import { renderNav } from './nav.js';

const $ = (id) => document.getElementById(id);

async function fetchReport() {
  const params = new URLSearchParams();
  if ($('at').value) params.set('at', $('at').value);
  const headers = { Accept: 'text/html', Authorization: `Bearer ${token()}` };
  const filed = $('filed').value.trim();
  const file = $('plan').files[0];
  if (file) {
    if ($('compare').value) params.set('compare_at', $('compare').value);
    const body = await file.text();
    return fetch(`/exercises/report?${params}`, {
      method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body,
    });
  }
  if (filed) return fetch(`/exercises/${encodeURIComponent(filed)}/report?${params}`, { headers });
  return null;
}

function showError(message, problems = []) {
  $('plan-error').textContent = message;
  $('plan-problems').replaceChildren(...problems.map((p) => {
    const li = document.createElement('li');
    li.textContent = [p.item, p.field, p.message].filter(Boolean).join(': ');
    return li;
  }));
}

function showReport(html) {
  // the page's own style block is dropped before parsing: parsed here, it would be checked
  // against this page's CSP (and refused, with a console error); exercises.css stands in for it
  const doc = new DOMParser().parseFromString(html.replace(/<style>[\s\S]*?<\/style>/g, ''), 'text/html');
  for (const node of doc.querySelectorAll('style, script, link, meta, title')) node.remove();
  for (const node of doc.body.querySelectorAll('*')) {
    for (const attr of [...node.attributes]) if (attr.name.startsWith('on')) node.removeAttribute(attr.name);
  }
  $('report').replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
}

async function submit(event) {
  event.preventDefault();
  showError('');
  if (!token()) {
    $('signed-out').hidden = false;
    return;
  }
  $('status').textContent = 'Screening the plan…';
  try {
    const response = await fetchReport();
    if (!response) {
      showError('Choose a plan file or give a filed exercise\'s id.');
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      showError(body?.error?.message || `The server answered ${response.status}.`, body?.error?.problems || []);
      return;
    }
    showReport(await response.text());
  } finally {
    $('status').textContent = '';
  }
}

renderNav();
$('signed-out').hidden = Boolean(token());
$('plan-form').addEventListener('submit', submit);
