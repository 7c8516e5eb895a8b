// Sign-in in the shared header: paste an API token (kept in this tab's sessionStorage, sent as a
// bearer token by api.js), see who is signed in (GET /me), sign out. Built as elements; what the
// server says (names, messages) is put in the page as text only.
import { ApiError, getJSON, setToken, token } from './api.js';

let user = null; // the promise of GET /me for the token in this tab

// The signed-in user ({name, role, nation, permissions}) or null. A token the server refuses
// (revoked, mistyped) is dropped: the tab is signed out.
export function currentUser() {
  if (!user) {
    user = token()
      ? getJSON('/me').catch((err) => {
          if (err instanceof ApiError && err.status === 401) {
            setToken(null);
            return null;
          }
          throw err;
        })
      : Promise.resolve(null);
  }
  return user;
}

// Whether the user's role holds a permission (what to offer; the server checks every call).
export const may = (who, permission) => Boolean(who?.permissions?.includes(permission));

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const ROLE_NAMES = {
  requester: 'requester',
  approver: 'approver',
  airspace_manager: 'airspace manager',
  viewer: 'viewer',
  admin: 'admin',
};

function signedOut(box) {
  const open = el('button', { type: 'button', className: 'signin-open', textContent: 'Sign in' });
  open.setAttribute('aria-expanded', 'false');
  open.setAttribute('aria-controls', 'signin-form');
  const input = el('input', { id: 'signin-token', type: 'password', autocomplete: 'off', spellcheck: false, required: true });
  input.setAttribute('aria-describedby', 'signin-hint signin-error');
  const error = el('p', { id: 'signin-error', className: 'error' });
  error.setAttribute('role', 'alert');
  const form = el(
    'form',
    { id: 'signin-form', className: 'signin-form', hidden: true, noValidate: true },
    el('label', { htmlFor: 'signin-token', textContent: 'API token' }),
    input,
    el('p', { id: 'signin-hint', className: 'hint', textContent: 'From `highnorth tokens create NAME`. Kept in this tab only.' }),
    el('div', { className: 'signin-actions' }, el('button', { type: 'submit', className: 'primary', textContent: 'Sign in' })),
    error,
  );
  const toggle = (show) => {
    form.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (show) input.focus();
  };
  open.addEventListener('click', () => toggle(form.hidden));
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      toggle(false);
      open.focus();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const value = input.value.trim();
    if (!value) {
      error.textContent = 'Paste an API token first.';
      return;
    }
    setToken(value);
    user = null;
    try {
      if (!(await currentUser())) throw new Error('the server refused this token (unknown or revoked)');
      window.location.reload(); // every view reads who is signed in when it starts
    } catch (err) {
      setToken(null);
      user = null;
      error.textContent = err.message;
      input.setAttribute('aria-invalid', 'true');
    }
  });
  box.replaceChildren(open, form);
}

function signedIn(box, who) {
  const role = ROLE_NAMES[who.role] ?? who.role;
  const out = el('button', { type: 'button', className: 'signin-out', textContent: 'Sign out' });
  out.addEventListener('click', () => {
    setToken(null);
    window.location.reload();
  });
  const name = el('span', { className: 'who-name', textContent: who.name });
  const detail = el('span', { className: 'who-role', textContent: who.nation ? `${role} · ${who.nation}` : role });
  const line = el('p', { className: 'who', id: 'who' }, el('span', { className: 'who-icon', ariaHidden: 'true' }), name, detail);
  line.title = `Signed in as ${who.name} (${role}${who.nation ? `, ${who.nation}` : ''})`;
  box.replaceChildren(line, out);
}

// Renders the sign-in into the page header (once per page).
export async function renderSignIn(header) {
  if (!header) return;
  let box = header.querySelector('.signin');
  if (!box) {
    box = el('div', { className: 'signin' });
    box.setAttribute('aria-label', 'Sign-in');
    box.setAttribute('role', 'group');
    header.append(box);
  }
  try {
    const who = await currentUser();
    if (who) signedIn(box, who);
    else signedOut(box);
  } catch (err) {
    signedOut(box);
    box.querySelector('#signin-error').textContent = err.message;
  }
}
