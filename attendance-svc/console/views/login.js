// Sign in: the console's login route sets the session cookies.
import { errorMessage, get, post } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

export async function loginView(ctx) {
  const error = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'card login', novalidate: false },
    h('h1', {}, t('login.title')),
    h('p', { class: 'lead' }, t('login.lead')),
    error,
    h('label', { for: 'username' }, t('login.username')), username,
    h('label', { for: 'password' }, t('login.password')), password,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await post('/v1/console/login', { username: username.value.trim(), password: password.value });
      ctx.signedIn(await get('/v1/console/session'));
      ctx.go('/violations');
    } catch (err) {
      error.textContent = err.code === 'forbidden' ? t('err.forbidden_login') : errorMessage(err);
      error.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
