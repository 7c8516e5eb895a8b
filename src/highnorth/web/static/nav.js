// The header every view shares: the views, the current one marked, and the API docs, and the
// sign-in (signin.js). Rendered into <nav id="views"> of each page and its header; links are
// built as elements, never from HTML text.
import { renderSignIn } from './signin.js';

export { currentUser, may } from './signin.js';
export const VIEWS = [
  ['/', 'Decision map'],
  ['/diff', 'Diff'],
  ['/screen', 'Screen'],
  ['/requests', 'Requests'],
  ['/reservations', 'Reservations'],
  ['/exercises', 'Exercises'],
  ['/audit', 'Audit'],
  ['/docs', 'API'],
];

export function renderNav(nav = document.getElementById('views'), here = window.location.pathname) {
  if (!nav) return;
  nav.replaceChildren(
    ...VIEWS.map(([href, label]) => {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = label;
      if (href === here) a.setAttribute('aria-current', 'page');
      return a;
    }),
  );
  renderSignIn(nav.closest('header'));
}
