// A unit's day: each employee's rostered mode, first in and last out (in the
// unit's time zone), who is absent or on leave, and the WFO/WFH/absent counts against the cap.
import { get, unitList } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { number, time, today } from '../format.js';

/* Where a time came from when it was not a phone: a paper register or a fingerprint machine, vouched by staff. */
function sourceNote(source) {
  return source && source !== 'phone' ? h('span', { class: 'source' }, ` (${t(`source.${source}`)})`) : null;
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
    d.over_cap ? stat(t('day.over_cap'), t('yes'), 'alert') : null));
  page.append(h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, [t('queue.employee'), 'NIP', t('day.rostered'), t('day.first_in'), t('day.last_out'), t('day.state')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, d.employees.map((e) => h('tr', {},
      h('td', { 'data-label': t('queue.employee') }, h('a', { href: `#/employees/${e.employee_id}/discipline?year=${date.slice(0, 4)}` }, e.name)),
      h('td', { 'data-label': 'NIP' }, e.nip),
      h('td', { 'data-label': t('day.rostered') }, e.mode),
      h('td', { 'data-label': t('day.first_in') }, time(e.first_in, tz), sourceNote(e.first_in_source)),
      h('td', { 'data-label': t('day.last_out') }, time(e.last_out, tz), sourceNote(e.last_out_source)),
      h('td', { 'data-label': t('day.state') }, h('span', { class: `badge ${e.state}` }, t(`day.state.${e.state}`)),
        e.leave ? h('span', { class: 'leave' }, ` ${t(`leave.kind.${e.leave.kind}`)}${e.leave.start ? ` ${e.leave.start}–${e.leave.end}` : ''}`) : null))))));
  return page;
}
