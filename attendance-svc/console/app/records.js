// The employee's own records (CONTRACT.md, "The employee's own view"): the
// last check-ins and violations, with an explanation on a pending one; the
// leave requests and a new one; the home registration for WFH.
import { errorMessage, get, post, api } from './api.js';
import { notice, session } from './app.js';
import { h, clear } from '/console/dom.js';
import { dateTime, day as dayText, metres } from '/console/format.js';
import { t } from '/console/i18n.js';

function signedInOnly(root) {
  if (session.offline || !session.me) {
    root.append(h('p', { class: 'notice info' }, t('app.offline.records')));
    return false;
  }
  return true;
}

function explainForm(v, after) {
  const error = h('p', { class: 'error', role: 'alert' });
  const id = `explain-${v.id}`;
  const form = h('form', { class: 'explain', 'data-violation': v.id },
    h('label', { for: id }, t('app.explain.label')),
    h('textarea', { id, required: true, maxlength: 2000, rows: 3 }),
    h('button', { type: 'submit' }, t('app.explain.submit')), error);
  const open = h('details', { class: 'explain-box' }, h('summary', {}, t('app.explain.open')), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = form.querySelector('textarea').value.trim();
    if (!text) { error.textContent = t('err.text_required'); return; }
    try {
      await post(`/v1/violations/${encodeURIComponent(v.id)}/explanation`, { text });
      notice(t('app.explain.sent'), 'info');
      after();
    } catch (err) {
      error.textContent = errorMessage(err);
    }
  });
  return open;
}

export async function historyView(root) {
  root.append(h('h1', {}, t('app.history.title')));
  if (!signedInOnly(root)) return;
  if (!session.timezone) session.timezone = (await get('/v1/me/day')).timezone; // times in the unit's zone, not the phone's
  const tz = session.timezone;
  const [checkins, violations] = await Promise.all([get('/v1/me/checkins?limit=20'), get('/v1/me/violations?limit=50')]);
  const vlist = h('ul', { class: 'cards', id: 'violations' });
  for (const v of violations.items) {
    const explained = v.explanation && v.explanation.text;
    vlist.append(h('li', { 'data-violation': v.id, 'data-code': v.code },
      h('p', { class: 'card-title' }, t(`code.${v.code}`)),
      h('p', {}, `${dayText(v.day)} · `, h('span', { class: `badge ${v.status}` }, t(`status.${v.status}`))),
      explained ? h('p', { class: 'quote' }, t('app.explain.yours'), ' ', h('q', {}, v.explanation.text)) : null,
      !explained && v.status === 'pending' ? explainForm(v, () => { clear(root); historyView(root); }) : null));
  }
  const clist = h('ul', { class: 'cards', id: 'checkins' });
  for (const c of checkins.items) {
    clist.append(h('li', { 'data-checkin': c.id },
      h('p', { class: 'card-title' }, `${t(`app.type.${c.type}`)} · ${t(`app.mode.${c.mode}`)}`),
      h('p', {}, dateTime(c.times && c.times.judged_at, tz)),
      h('p', {}, c.inside ? t('app.verdict.inside') : t('app.verdict.outside', { distance: metres(c.distance_m) })),
      c.violations.length ? h('p', {}, c.violations.map((v) => t(`code.${v.code}`)).join(', ')) : null));
  }
  root.append(
    h('section', { 'aria-labelledby': 'violations-h' }, h('h2', { id: 'violations-h' }, t('app.history.violations')),
      violations.items.length ? vlist : h('p', { class: 'muted' }, t('app.history.no_violations'))),
    h('section', { 'aria-labelledby': 'checkins-h' }, h('h2', { id: 'checkins-h' }, t('app.history.checkins')),
      checkins.items.length ? clist : h('p', { class: 'muted' }, t('app.history.no_checkins'))));
}

const KINDS = ['cuti_tahunan', 'cuti_sakit', 'cuti_alasan_penting', 'cuti_besar', 'cuti_melahirkan', 'cuti_luar_tanggungan', 'izin', 'dinas_luar'];

function labelled(id, label, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

export async function leaveView(root) {
  root.append(h('h1', {}, t('app.leave.title')));
  if (!signedInOnly(root)) return;
  const list = await get('/v1/me/leave?limit=50');
  const ul = h('ul', { class: 'cards', id: 'leave-list' });
  for (const l of list.items) {
    const span = l.from === l.to ? dayText(l.from) : `${dayText(l.from)} – ${dayText(l.to)}`;
    ul.append(h('li', { 'data-leave': l.id },
      h('p', { class: 'card-title' }, t(`leave.kind.${l.kind}`)),
      h('p', {}, span, l.start ? ` · ${l.start}–${l.end}` : ''),
      h('p', {}, h('span', { class: `badge ${l.status}` }, t(`leave.status.${l.status}`))),
      l.status === 'pending' ? h('button', {
        type: 'button', class: 'withdraw',
        onclick: async () => {
          try { await api('DELETE', `/v1/leave/${encodeURIComponent(l.id)}`); clear(root); leaveView(root); } catch (err) { notice(errorMessage(err), 'error'); }
        },
      }, t('app.leave.withdraw')) : null));
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const kind = h('select', { id: 'leave-kind' }, KINDS.map((k) => h('option', { value: k }, t(`leave.kind.${k}`))));
  const form = h('form', { id: 'leave-form' },
    labelled('leave-kind', t('app.leave.kind'), kind),
    labelled('leave-from', t('app.leave.from'), h('input', { id: 'leave-from', type: 'date', required: true })),
    labelled('leave-to', t('app.leave.to'), h('input', { id: 'leave-to', type: 'date', required: true })),
    labelled('leave-start', t('app.leave.start'), h('input', { id: 'leave-start', type: 'time' })),
    labelled('leave-end', t('app.leave.end'), h('input', { id: 'leave-end', type: 'time' })),
    labelled('leave-reason', t('app.leave.reason'), h('textarea', { id: 'leave-reason', required: true, maxlength: 1000, rows: 3 })),
    labelled('leave-file', t('app.leave.attachment'), h('input', { id: 'leave-file', type: 'file', accept: 'application/pdf,image/jpeg,image/png' })),
    h('button', { type: 'submit', class: 'primary' }, t('app.leave.submit')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const value = (id) => form.querySelector(`#${id}`).value;
    const body = { kind: value('leave-kind'), from: value('leave-from'), to: value('leave-to') || value('leave-from'), reason: value('leave-reason').trim() };
    if (value('leave-start') && value('leave-end')) Object.assign(body, { start: value('leave-start'), end: value('leave-end') });
    if (!body.from || !body.reason) { error.textContent = t('err.leave_incomplete'); return; }
    try {
      const made = await post('/v1/leave', body);
      const file = form.querySelector('#leave-file').files[0];
      if (file) await api('PUT', `/v1/leave/${encodeURIComponent(made.leave_id)}/attachment`, file);
      notice(t('app.leave.sent'), 'info');
      clear(root);
      await leaveView(root);
    } catch (err) {
      error.textContent = errorMessage(err);
    }
  });
  root.append(
    h('section', { 'aria-labelledby': 'leave-list-h' }, h('h2', { id: 'leave-list-h' }, t('app.leave.yours')),
      list.items.length ? ul : h('p', { class: 'muted' }, t('app.leave.none'))),
    h('section', { 'aria-labelledby': 'leave-new-h' }, h('h2', { id: 'leave-new-h' }, t('app.leave.new')), form));
}

export async function homeView(root) {
  root.append(h('h1', {}, t('app.home.title')), h('p', { class: 'lead' }, t('app.home.lead')));
  if (!signedInOnly(root)) return;
  const homes = await get('/v1/homes?limit=20');
  const ul = h('ul', { class: 'cards', id: 'homes' });
  for (const home of homes.items) {
    ul.append(h('li', { 'data-home': home.id, 'data-status': home.status },
      h('p', { class: 'card-title' }, home.address || '—'),
      h('p', {}, h('span', { class: `badge ${home.status}` }, t(`app.home.status.${home.status}`)),
        ` · ${t('app.home.radius', { radius: metres(home.radius_m) })}`)));
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const point = h('p', { id: 'home-point', class: 'muted' }, t('app.home.no_point'));
  let coords = null;
  const form = h('form', { id: 'home-form' },
    labelled('home-address', t('app.home.address'), h('input', { id: 'home-address', required: true, maxlength: 300, autocomplete: 'street-address' })),
    h('button', {
      type: 'button', id: 'home-locate',
      onclick: () => navigator.geolocation.getCurrentPosition((p) => {
        coords = p.coords;
        point.textContent = t('app.home.point', { lat: coords.latitude.toFixed(5), lon: coords.longitude.toFixed(5), accuracy: metres(coords.accuracy) });
      }, () => { error.textContent = t('err.geo_denied'); }, { enableHighAccuracy: true, timeout: 20000 }),
    }, t('app.home.locate')),
    point,
    h('button', { type: 'submit', class: 'primary' }, t('app.home.submit')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const address = form.querySelector('#home-address').value.trim();
    if (!coords || !address) { error.textContent = t('err.home_incomplete'); return; }
    try {
      await post('/v1/homes', { lat: coords.latitude, lon: coords.longitude, address });
      notice(t('app.home.sent'), 'info');
      clear(root);
      await homeView(root);
    } catch (err) {
      error.textContent = errorMessage(err);
    }
  });
  root.append(
    h('section', { 'aria-labelledby': 'homes-h' }, h('h2', { id: 'homes-h' }, t('app.home.yours')),
      homes.items.length ? ul : h('p', { class: 'muted' }, t('app.home.none'))),
    h('section', { 'aria-labelledby': 'home-new-h' }, h('h2', { id: 'home-new-h' }, t('app.home.new')), form));
}
