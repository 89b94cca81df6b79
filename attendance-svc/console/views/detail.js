// A violation's detail: who, where and when, the point on the geofence, the
// selfie (for the roles that may see it), the decisions so far, and the
// decision form. A decision names the version it was made on; when someone
// else decided first the API answers 409 and the page shows the new state
// with a message saying so.
import { errorMessage, get, post } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime, day, metres } from '../format.js';
import { geofenceMap } from '../map.js';

function row(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

async function officeOf(v) {
  const place = v.checkin && v.checkin.place;
  const officeId = place && place.startsWith('office:') ? place.slice(7) : v.evidence && v.evidence.nearest_office_id;
  if (!officeId) return null;
  try { return await get(`/v1/offices/${encodeURIComponent(officeId)}`); } catch { return null; }
}

function mapSection(v, office) {
  const c = v.checkin;
  const section = h('section', { class: 'card map-card', 'aria-labelledby': 'map-h' }, h('h2', { id: 'map-h' }, t('detail.map')));
  if (!office) {
    section.append(h('p', {}, t('detail.map.none')));
    return section;
  }
  const caption = t('detail.map.caption', { distance: metres(c.distance_m), place: office.name, accuracy: metres(c.accuracy_m) });
  section.append(geofenceMap(office.geofence, c, caption), h('p', { class: 'caption' }, caption));
  return section;
}

function selfieSection(v, role) {
  const section = h('section', { class: 'card selfie-card', 'aria-labelledby': 'selfie-h' }, h('h2', { id: 'selfie-h' }, t('detail.selfie')));
  if (v.selfie_url) section.append(h('img', { class: 'selfie', src: v.selfie_url, alt: t('detail.selfie.alt') }));
  else if (v.checkin && v.checkin.selfie_attached && role === 'admin') section.append(h('p', {}, t('detail.selfie.hidden')));
  else section.append(h('p', {}, t('detail.selfie.none')));
  return section;
}

function historySection(v, tz) {
  const items = (v.decisions || []).map((d) => h('li', {},
    t('detail.history.item', {
      version: d.version,
      decision: d.decision === 'confirmed'
        ? `${t('status.confirmed')}${d.sanction ? ` (${t(`sanction.${d.sanction}`)})` : ''}` : t('status.dismissed'),
      by: d.leave_id ? t('detail.history.by_leave', { id: d.leave_id }) : d.decided_by_username || d.decided_by,
      at: dateTime(d.decided_at, tz),
    }), d.note ? h('q', {}, d.note) : null));
  return h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, t('detail.history')),
    items.length ? h('ol', { class: 'history' }, items) : h('p', {}, t('detail.history.none')));
}

/* What the employee said (PP 94/2021: heard before a sanction), and the day's approved leave. */
function explanationSection(v, tz) {
  const x = v.explanation;
  const leave = v.leave;
  return h('section', { class: 'card', 'aria-labelledby': 'expl-h' }, h('h2', { id: 'expl-h' }, t('detail.explanation')),
    x ? h('blockquote', { class: 'explanation' }, h('p', {}, x.text), h('footer', {}, dateTime(x.explained_at, tz)))
      : h('p', {}, t('detail.explanation.none')),
    leave ? h('p', { class: 'leave' }, t('detail.leave', { kind: t(`leave.kind.${leave.kind}`), status: t(`leave.status.${leave.status}`) })) : null);
}

/* The phone's time, the service's and the judged one side by side, and why the judged one is what it is. */
function timesSection(c, unit, tz) {
  const behindMs = Date.parse(c.received_at) - Date.parse(c.captured_at);
  const delay = Math.round(Math.abs(behindMs) / 1000);
  const tolerance = unit.sync_tolerance_s;
  let why;
  if (Date.parse(c.judged_at) === Date.parse(c.captured_at)) why = t('times.phone_believed', { delay, tolerance });
  else if (behindMs < 0) why = t('times.phone_ahead', { ahead: delay });
  else why = t('times.phone_behind', { delay, tolerance });
  const notes = [h('p', { id: 'judged-why' }, why)];
  if (c.after_closure) notes.push(h('p', { class: 'note' }, t('times.after_closure')));
  else if (c.counts_for_day === false) notes.push(h('p', { class: 'note' }, t('times.not_counted')));
  return h('section', { class: 'card', 'aria-labelledby': 'times-h' }, h('h2', { id: 'times-h' }, t('times.h')),
    h('table', { class: 'list compact', id: 'times' },
      h('thead', {}, h('tr', {}, h('th', {}, t('times.phone')), h('th', {}, t('times.service')), h('th', {}, t('times.judged')))),
      h('tbody', {}, h('tr', {},
        h('td', { 'data-label': t('times.phone') }, dateTime(c.captured_at, tz)),
        h('td', { 'data-label': t('times.service') }, dateTime(c.received_at, tz)),
        h('td', { 'data-label': t('times.judged') }, dateTime(c.judged_at, tz))))),
    ...notes);
}

function decisionForm(ctx, v) {
  const title = v.decision ? t('decide.revise') : t('decide.title');
  if (ctx.session.who.role !== 'reviewer') {
    return h('section', { class: 'card', 'aria-labelledby': 'dec-h' }, h('h2', { id: 'dec-h' }, title), h('p', {}, t('decide.readonly')));
  }
  const error = h('p', { class: 'notice error', role: 'alert', hidden: true });
  // A sanction is decided on a discipline case, on the year's days, never on one flag (PP 94/2021).
  const radio = (value, label) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'decision', value, required: true }), ` ${label}`);
  const note = h('textarea', { id: 'note', name: 'note', rows: 3, maxlength: 2000 });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('decide.submit'));
  const form = h('form', { class: 'card decision', 'aria-labelledby': 'dec-h' },
    h('h2', { id: 'dec-h' }, title), error,
    h('fieldset', {}, h('legend', {}, t('decide.decision')), radio('dismissed', t('decide.dismiss')), radio('confirmed', t('decide.confirm'))),
    h('p', { class: 'hint' }, t('decide.no_sanction')),
    h('label', { for: 'note' }, t('decide.note')), note,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const decision = new FormData(form).get('decision');
    error.hidden = true;
    submit.disabled = true;
    try {
      await post(`/v1/violations/${v.id}/decision`, {
        decision, sanction: null, note: note.value.trim() || null, version: v.version,
      });
      ctx.session.message = { text: t('decide.saved'), kind: 'success' };
      ctx.go(`/violations/${v.id}`);
    } catch (err) {
      if (err.code === 'version_conflict') {
        ctx.session.message = { text: t('decide.conflict'), kind: 'error conflict' };
        ctx.go(`/violations/${v.id}`);
        return;
      }
      error.textContent = errorMessage(err);
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

export async function detailView(ctx) {
  const v = await get(`/v1/violations/${ctx.match[0]}`);
  const tz = v.unit.timezone;
  const c = v.checkin;
  const office = c ? await officeOf(v) : null;
  const name = v.employee ? v.employee.name : `#${v.employee_id}`;
  const facts = h('dl', { class: 'facts' },
    row(t('detail.employee'), v.employee ? h('a', { href: `#/employees/${v.employee.id}/discipline?year=${v.day.slice(0, 4)}` }, name) : name),
    row(t('detail.nip'), v.employee ? v.employee.nip : '—'),
    row(t('detail.unit'), `${v.unit.code} — ${v.unit.name}`),
    row(t('detail.day'), day(v.day)),
    row(t('detail.status'), h('span', { class: `badge ${v.status}`, id: 'status' }, t(`status.${v.status}`))),
    row(t('detail.roster'), v.roster ? `${v.roster.mode}${v.roster.start ? ` ${v.roster.start}–${v.roster.end}` : ''}` : t('detail.roster.none')));
  const checkin = c ? h('dl', { class: 'facts' },
    row(t('detail.type'), t(`detail.type.${c.type}`)),
    row(t('detail.mode'), c.mode),
    row(t('detail.captured'), dateTime(c.captured_at, tz)),
    row(t('detail.received'), dateTime(c.received_at, tz)),
    row(t('detail.accuracy'), metres(c.accuracy_m)),
    row(t('detail.distance'), h('span', { id: 'distance' }, metres(c.distance_m))),
    row(t('detail.mock'), c.mock_location ? t('yes') : t('no'))) : h('p', {}, t('detail.nocheckin'));
  return h('article', { class: 'detail' },
    h('p', {}, h('a', { href: '#/violations' }, t('detail.back'))),
    h('h1', {}, `${t(`code.${v.code}`)}: ${name}`),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'who-h' }, h('h2', { id: 'who-h' }, t('detail.employee')), facts,
        v.employee ? h('p', {}, h('a', { href: `#/employees/${v.employee.id}/discipline?year=${v.day.slice(0, 4)}` }, t('detail.discipline'))) : null),
      h('section', { class: 'card', 'aria-labelledby': 'ci-h' }, h('h2', { id: 'ci-h' }, t('detail.checkin')), checkin),
      c ? timesSection(c, v.unit, tz) : null,
      c ? mapSection(v, office) : null,
      c ? selfieSection(v, ctx.session.who.role) : null,
      explanationSection(v, tz),
      historySection(v, tz),
      decisionForm(ctx, v)));
}
