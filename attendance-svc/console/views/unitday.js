// A unit's day: its hours and windows, each employee's rostered mode or shift,
// first in and last out (in the unit's time zone), who is absent, on leave or at rest,
// the WFO/WFH/absent counts against the cap, and the roster editor (supervisors, admins).
import { errorMessage, get, put, unitList } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { number, time, today } from '../format.js';

/* Where a time came from when it was not a phone: a paper register or a fingerprint machine, vouched by staff. */
function sourceNote(source) {
  return source && source !== 'phone' ? h('span', { class: 'source' }, ` (${t(`source.${source}`)})`) : null;
}

/* "07:00–14:00", or the words for no hours. */
function span(pair) { return pair ? `${pair[0]}–${pair[1]}` : t('day.hours.none'); }

/* The day's hours as the rules judge them: the week's or the dated hours', grace, flexible start, windows. */
function hoursPanel(hours) {
  const w = hours.checkin_windows || {};
  const item = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  return h('dl', { class: 'hours', id: 'day-hours' },
    item(t('day.hours'), `${hours.work_day ? span(hours.work_hours) : t('day.hours.none')}${hours.dated_hours ? ` (${hours.dated_hours.name})` : ''}`),
    item(t('day.grace'), t(hours.grace_made_up ? 'day.grace.made_up' : 'day.grace.minutes', { minutes: hours.grace_minutes })),
    hours.flex_minutes ? item(t('day.flex'), t('day.grace.minutes', { minutes: hours.flex_minutes })) : null,
    item(t('day.window.in'), w.in ? span(w.in) : t('day.window.none')),
    item(t('day.window.out'), w.out ? span(w.out) : t('day.window.none')));
}

/* What the roster column says: the mode, and a shift's hours (past midnight marked). */
function rostered(e) {
  if (e.mode === 'OFF') return t('day.mode.OFF');
  if (!e.start || !e.end) return e.mode;
  return `${e.mode} ${e.start}–${e.end}${e.end <= e.start ? ` ${t('day.next_day')}` : ''}`;
}

/*
 * The roster of the day, one row per employee: WFO, WFH or OFF (a rest day),
 * and a shift's start and end; an end before the start is the next morning's
 * (a night shift). Saving replaces the day's roster (PUT .../roster/{date}).
 */
function rosterEditor(ctx, unit, date, employees) {
  const rows = employees.map((e) => {
    const mode = h('select', { name: `mode-${e.employee_id}`, 'aria-label': t('roster.mode_of', { name: e.name }) },
      ['WFO', 'WFH', 'OFF'].map((m) => h('option', { value: m, selected: m === e.mode }, m === 'OFF' ? t('day.mode.OFF') : m)));
    const start = h('input', { type: 'time', name: `start-${e.employee_id}`, value: e.start || '', 'aria-label': t('roster.start_of', { name: e.name }) });
    const end = h('input', { type: 'time', name: `end-${e.employee_id}`, value: e.end && e.end !== '24:00' ? e.end : '', 'aria-label': t('roster.end_of', { name: e.name }) });
    const sync = () => { start.disabled = end.disabled = mode.value === 'OFF'; };
    mode.addEventListener('change', sync);
    sync();
    return { e, mode, start, end };
  });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('roster.save'));
  const form = h('form', { class: 'roster', id: 'roster-editor' },
    h('h2', {}, t('roster.title')),
    h('p', { class: 'hint' }, t('roster.hint')),
    h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, [t('queue.employee'), t('roster.mode'), t('roster.start'), t('roster.end')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', { 'data-label': t('queue.employee') }, r.e.name),
        h('td', { 'data-label': t('roster.mode') }, r.mode),
        h('td', { 'data-label': t('roster.start') }, r.start),
        h('td', { 'data-label': t('roster.end') }, r.end))))),
    error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const entries = [];
    for (const r of rows) {
      const off = r.mode.value === 'OFF';
      if (r.mode.value === 'WFO' && !r.start.value && !r.end.value) continue; // no entry: WFO at the unit's hours
      const entry = { employee_id: r.e.employee_id, mode: r.mode.value };
      if (!off && r.start.value) entry.start = r.start.value;
      if (!off && r.end.value) entry.end = r.end.value;
      entries.push(entry);
    }
    submit.disabled = true;
    try {
      await put(`/v1/units/${unit.id}/roster/${date}`, { entries });
      ctx.session.message = { text: t('roster.saved'), kind: 'success' };
      ctx.go('/units/day', { unit_id: unit.id, date });
    } catch (err) {
      error.textContent = err.details.message && err.code !== 'internal' ? `${errorMessage(err)} ${err.details.message}` : errorMessage(err);
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

export async function unitDayView(ctx) {
  const units = await unitList();
  const unitId = ctx.params.get('unit_id') || (ctx.session.who.role === 'supervisor' ? ctx.session.who.unit_id : '') || (units[0] && units[0].id) || '';
  const unit = units.find((u) => u.id === unitId);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(ctx.params.get('date') || '') ? ctx.params.get('date') : today(unit ? unit.timezone : 'Asia/Jakarta');
  const unitSelect = h('select', { id: 'unit_id', name: 'unit_id' }, units.map((u) => h('option', { value: u.id, selected: u.id === unitId }, `${u.code} — ${u.name}`)));
  const dateInput = h('input', { id: 'date', name: 'date', type: 'date', value: date, required: true });
  const form = h('form', { class: 'filters inline' },
    h('div', {}, h('label', { for: 'unit_id' }, t('day.unit')), unitSelect),
    h('div', {}, h('label', { for: 'date' }, t('day.date')), dateInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('day.show'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.go('/units/day', { unit_id: unitSelect.value, date: dateInput.value }); });
  const page = h('section', { class: 'unitday' }, h('h1', {}, t('day.title', { unit: unit ? unit.name : '' })), form);
  if (!unit) return page.appendChild(h('p', {}, t('day.choose'))).parentNode;

  const d = await get(`/v1/units/${unit.id}/days/${date}`);
  const tz = unit.timezone;
  const stat = (label, value, cls) => h('div', { class: `stat ${cls || ''}` }, h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
  page.append(h('div', { class: 'stats' },
    stat(t('day.headcount'), number(d.headcount)),
    stat(t('day.wfo'), number(d.wfo)),
    stat(t('day.wfh'), number(d.wfh)),
    stat(t('day.absent'), number(d.absent)),
    stat(t('day.wfh_percent'), `${number(d.wfh_percent, 2)}%`),
    stat(t('day.cap'), d.cap_percent === null ? t('day.cap.none') : `${d.cap_percent}%`),
    stat(t('day.off'), number(d.off)),
    d.over_cap ? stat(t('day.over_cap'), t('yes'), 'alert') : null));
  page.append(hoursPanel(d.hours));
  page.append(h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, [t('queue.employee'), 'NIP', t('day.rostered'), t('day.first_in'), t('day.last_out'), t('day.state')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, d.employees.map((e) => h('tr', {},
      h('td', { 'data-label': t('queue.employee') }, h('a', { href: `#/employees/${e.employee_id}/discipline?year=${date.slice(0, 4)}` }, e.name)),
      h('td', { 'data-label': 'NIP' }, e.nip),
      h('td', { 'data-label': t('day.rostered') }, rostered(e)),
      h('td', { 'data-label': t('day.first_in') }, time(e.first_in, tz), sourceNote(e.first_in_source)),
      h('td', { 'data-label': t('day.last_out') }, time(e.last_out, tz), sourceNote(e.last_out_source)),
      h('td', { 'data-label': t('day.state') }, h('span', { class: `badge ${e.state}` }, t(`day.state.${e.state}`)),
        e.leave ? h('span', { class: 'leave' }, ` ${t(`leave.kind.${e.leave.kind}`)}${e.leave.start ? ` ${e.leave.start}–${e.leave.end}` : ''}`) : null))))));
  if (ctx.session.who.role === 'supervisor' || ctx.session.who.role === 'admin') page.append(rosterEditor(ctx, unit, date, d.employees));
  return page;
}
