// The employee's app (docs/app.md): its shell, the sign-in (a password once,
// then the device), the enrolment of this browser's key, and the screens by
// the part of the address after '#'. Each screen is drawn by a module of its
// own from the API's answers; nothing an answer holds becomes markup.
import { ApiError, errorMessage, get, post, signedIn, useToken, whenExpired } from './api.js';
import { makeKeys, publicKeyText, remember, signInBody } from './device.js';
import { flushQueue } from './queue.js';
import { forgetDevice, loadDevice } from './store.js';
import { h, clear } from '/console/dom.js';
import { language, setLanguage, t } from '/console/i18n.js';
import './words.js';
import { todayView } from './today.js';
import { historyView, homeView, leaveView } from './records.js';

const main = document.getElementById('main');
export const session = { device: null, me: null, offline: false };

const screens = {
  '/signin': signInView,
  '/password': passwordView,
  '/today': todayView,
  '/history': historyView,
  '/leave': leaveView,
  '/home': homeView,
};
const TABS = [['/today', 'app.nav.today'], ['/history', 'app.nav.history'], ['/leave', 'app.nav.leave'], ['/home', 'app.nav.home']];

function here() { return location.hash.replace(/^#/, '') || '/today'; }

export function go(path) {
  if (here() === path) render();
  else location.hash = `#${path}`;
}

export function notice(text, kind = 'info') {
  const box = clear(document.getElementById('notice'));
  if (text) box.append(h('p', { class: `notice ${kind}` }, text));
}

function drawShell() {
  document.title = t('app.name');
  document.getElementById('brand').textContent = t('app.name');
  document.getElementById('lang-label').textContent = t('app.language');
  document.querySelector('.skip').textContent = t('app.skip');
  document.getElementById('lang').value = language();
  const nav = clear(document.getElementById('nav'));
  const ready = session.device && (signedIn() || session.offline);
  nav.hidden = !ready;
  nav.setAttribute('aria-label', t('app.nav'));
  if (!ready) return;
  for (const [path, key] of TABS) {
    nav.append(h('a', { href: `#${path}`, 'aria-current': here() === path ? 'page' : null }, t(key)));
  }
}

// Each screen is drawn into a box of its own and shown only if no later render began meanwhile (a tap on the
// menu while a language change draws): one screen at a time, never two.
let rendering = 0;

export async function render() {
  let path = here();
  if (!session.device && path !== '/password') path = '/signin';
  else if (session.device && path === '/signin') path = '/today';
  const view = screens[path] || todayView;
  const mine = ++rendering;
  drawShell();
  const box = h('div', { class: 'screen' });
  main.setAttribute('aria-busy', 'true');
  try {
    await view(box);
  } catch (err) {
    clear(box).append(h('h1', {}, t('app.error')), h('p', { class: 'error', role: 'alert' }, errorMessage(err)));
  }
  if (mine !== rendering) return;
  main.replaceChildren(box);
  main.removeAttribute('aria-busy');
  const first = box.querySelector('[data-autofocus]');
  if (first) first.focus();
}

// The device signs in (POST /v1/auth/device): no password, a statement signed by the key that never leaves.
// With no network the app still opens: a check-in is signed and queued, and needs no token.
async function deviceSignIn() {
  try {
    const answer = await post('/v1/auth/device', await signInBody(session.device));
    useToken(answer.access_token);
    session.offline = false;
    session.me = await get('/v1/me');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'device_not_bound') {
      await forgetDevice(); // revoked by its supervisor, or the account disabled: enrol again after a password
      session.device = null;
      notice(t('app.device.revoked'), 'error');
    } else if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) {
      session.offline = true;
      notice(t('app.offline'), 'info');
    } else {
      notice(errorMessage(err), 'error');
    }
  }
}

// A password login; then the password change it may require; then the enrolment of this browser's key.
async function passwordSignIn(nip, password) {
  const answer = await post('/v1/auth/login', { username: nip, password });
  if (answer.role !== 'employee') throw new ApiError(403, 'not_employee');
  useToken(answer.access_token);
  session.nip = nip;
  if (answer.password_change_required) {
    go('/password');
    return;
  }
  await enrol(nip);
}

async function enrol(nip) {
  const keys = await makeKeys();
  const label = `${t('app.device.browser')} (${navigator.platform || 'web'})`.slice(0, 60);
  const made = await post('/v1/devices', { public_key: await publicKeyText(keys), label });
  session.device = await remember(made.device_id, nip, keys);
  session.me = await get('/v1/me');
  notice(t('app.device.enrolled'), 'info');
  go('/today');
}

function field(id, label, attrs = {}) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, required: true, ...attrs }));
}

function signInView(root) {
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' });
  const form = h('form', { id: 'signin', novalidate: true },
    field('nip', t('app.signin.nip'), { inputmode: 'numeric', autocomplete: 'username', pattern: '[0-9]{18}', maxlength: 18, 'data-autofocus': true }),
    field('password', t('app.signin.password'), { type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit', class: 'primary' }, t('app.signin.submit')),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const nip = form.nip.value.replace(/\s+/g, '');
    if (!/^[0-9]{18}$/.test(nip)) {
      error.textContent = t('err.nip_format');
      form.nip.focus();
      return;
    }
    form.querySelector('button').disabled = true;
    try {
      await passwordSignIn(nip, form.password.value);
    } catch (err) {
      error.textContent = err.code === 'device_already_bound' ? t('err.device_already_bound') : errorMessage(err);
    } finally {
      form.querySelector('button').disabled = false;
    }
  });
  root.append(h('h1', {}, t('app.signin.title')), h('p', { class: 'lead' }, t('app.signin.lead')), form);
}

function passwordView(root) {
  if (!signedIn()) { go('/signin'); return; }
  const error = h('p', { class: 'error', role: 'alert', id: 'password-error' });
  const form = h('form', { id: 'password-form', novalidate: true },
    field('current-password', t('app.password.current'), { type: 'password', autocomplete: 'current-password', 'data-autofocus': true }),
    field('new-password', t('app.password.new'), { type: 'password', autocomplete: 'new-password', minlength: 10 }),
    field('repeat-password', t('app.password.repeat'), { type: 'password', autocomplete: 'new-password', minlength: 10 }),
    h('button', { type: 'submit', class: 'primary' }, t('app.password.submit')),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const next = form['new-password'].value;
    if (next !== form['repeat-password'].value) { error.textContent = t('err.password_mismatch'); return; }
    form.querySelector('button').disabled = true;
    try {
      await post('/v1/auth/password', { current_password: form['current-password'].value, new_password: next });
      // Tokens issued before the change stop working: sign in with the new password, then enrol.
      await passwordSignIn(session.nip, next);
    } catch (err) {
      error.textContent = errorMessage(err);
    } finally {
      form.querySelector('button').disabled = false;
    }
  });
  root.append(h('h1', {}, t('app.password.title')), h('p', { class: 'lead' }, t('app.password.lead')), form);
}

async function start() {
  document.getElementById('lang').addEventListener('change', (e) => { setLanguage(e.target.value); render(); });
  whenExpired(async () => { useToken(null); if (session.device) await deviceSignIn(); render(); });
  window.addEventListener('hashchange', render);
  window.addEventListener('online', async () => {
    await flushQueue(); // the check-ins signed while offline, unchanged
    if (session.device && !signedIn()) await deviceSignIn();
    render();
  });
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { type: 'module', scope: '/app/' }).catch(() => {});
  setLanguage(language());
  session.device = (await loadDevice()) || null;
  if (session.device) await deviceSignIn();
  render();
  if (session.device && !session.offline) flushQueue(); // what an earlier visit left waiting
}

start();
