// The console's shell: the session, the menu, the language switch and the
// routes (the part of the address after '#'), each drawn by a view module.
import { api, ApiError, errorMessage, forget, get, whenSignedOut } from './api.js';
import { h, clear } from './dom.js';
import { language, setLanguage, t } from './i18n.js';
import { loginView } from './views/login.js';
import { queueView } from './views/queue.js';
import { detailView } from './views/detail.js';
import { disciplineView } from './views/discipline.js';
import { unitDayView } from './views/unitday.js';
import { exportsView } from './views/exports.js';
import { caseView, casesView } from './views/cases.js';
import { leaveView } from './views/leave.js';
import { officesView, officeView } from './views/offices.js';

const main = document.getElementById('main');
const session = { who: null, message: null }; // message: {text, kind}, shown after the next page is drawn

const routes = [
  [/^\/login$/, () => loginView],
  [/^\/violations$/, () => queueView],
  [/^\/violations\/(\d+)$/, () => detailView],
  [/^\/employees\/(\d+)\/discipline$/, () => disciplineView],
  [/^\/units\/day$/, () => unitDayView],
  [/^\/exports$/, () => exportsView],
  [/^\/leave$/, () => leaveView],
  [/^\/cases$/, () => casesView],
  [/^\/cases\/(\d+)$/, () => caseView],
  [/^\/offices$/, () => officesView],
  [/^\/offices\/(\d+)$/, () => officeView],
];

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/violations';
  const [path, q = ''] = raw.split('?');
  return { path, params: new URLSearchParams(q) };
}

export function go(path, params) {
  const q = params ? new URLSearchParams(params).toString() : '';
  const next = `#${path}${q ? `?${q}` : ''}`;
  if (location.hash === next) render();
  else location.hash = next;
}

function notice(text, kind = 'info') {
  const box = clear(document.getElementById('notice'));
  if (text) box.append(h('p', { class: `notice ${kind}` }, text));
}

function drawShell() {
  document.title = t('app.title');
  document.getElementById('brand').textContent = t('app.title');
  document.getElementById('lang-label').textContent = t('app.language');
  document.querySelector('.skip').textContent = t('app.skip');
  document.getElementById('lang').value = language();
  const signout = document.getElementById('signout');
  signout.textContent = t('nav.signout');
  signout.hidden = !session.who;
  const nav = clear(document.getElementById('nav'));
  if (!session.who) return;
  const here = parseHash().path;
  const items = [['/violations', 'nav.queue'], ['/units/day', 'nav.unitday'], ['/leave', 'nav.leave'], ['/cases', 'nav.cases'],
    ['/offices', 'nav.offices']];
  if (session.who.role !== 'supervisor') items.push(['/exports', 'nav.exports']); // reviewers and admins
  for (const [path, key] of items) {
    const current = here === path || (path !== '/units/day' && here.startsWith(`${path}/`));
    nav.append(h('a', { href: `#${path}`, 'aria-current': current ? 'page' : null }, t(key)));
  }
  nav.append(h('span', { class: 'who' }, t('nav.signedin', { role: t(`role.${session.who.role}`) })));
}

async function whoAmI() {
  try {
    session.who = await get('/v1/console/session');
  } catch (err) {
    session.who = null;
    if (!(err instanceof ApiError) || err.status !== 401) notice(errorMessage(err), 'error');
  }
}

let rendering = 0;
async function render() {
  const ticket = ++rendering;
  const { path, params } = parseHash();
  if (!session.who && path !== '/login') {
    await whoAmI();
    if (ticket !== rendering) return;
    if (!session.who) { go('/login'); return; }
  }
  drawShell();
  const route = routes.find(([pattern]) => pattern.test(path));
  const view = route ? route[1]() : queueView;
  const match = route ? path.match(route[0]).slice(1) : [];
  clear(main);
  main.append(h('p', { class: 'loading' }, t('app.loading')));
  const ctx = {
    session, params, match, notice, go,
    signedIn(who) { session.who = who; forget(); },
    stale: () => ticket !== rendering,
  };
  try {
    const content = await view(ctx);
    if (ticket !== rendering) return;
    clear(main).append(content);
    if (session.message) { notice(session.message.text, session.message.kind); session.message = null; }
    const heading = main.querySelector('h1');
    if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
  } catch (err) {
    if (ticket !== rendering) return;
    clear(main).append(h('div', { class: 'error-page' }, h('h1', {}, t('app.title')), h('p', { class: 'notice error', role: 'alert' }, errorMessage(err))));
  }
}

whenSignedOut(() => {
  if (!session.who) return;
  session.who = null;
  session.message = { text: t('login.expired'), kind: 'info' };
  go('/login');
});

document.getElementById('lang').addEventListener('change', (e) => { setLanguage(e.target.value); render(); });
document.getElementById('signout').addEventListener('click', async () => {
  try { await api('POST', '/v1/console/logout'); } catch { /* the cookie may be gone already */ }
  session.who = null;
  forget();
  session.message = { text: t('login.signedout'), kind: 'info' };
  go('/login');
});
window.addEventListener('hashchange', () => { notice(''); render(); });
setLanguage(language());
render();
