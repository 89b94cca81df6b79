// The violation queue: filters (status, unit, kind, days) kept in the address,
// newest first, a page at a time (pager.js).
import { employee, get, query, unit, unitList } from '../api.js';
import { h } from '../dom.js';
import { VIOLATION_CODES, t } from '../i18n.js';
import { day } from '../format.js';
import { pager, pageTrail } from '../pager.js';

const PAGE = 25;
const FILTERS = ['status', 'unit_id', 'code', 'from', 'to'];

function select(id, label, options, value) {
  return [h('label', { for: id }, label),
    h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))];
}

export async function queueView(ctx) {
  const p = ctx.params;
  const filters = Object.fromEntries(FILTERS.map((k) => [k, p.get(k) || '']));
  const { trail, cursor } = pageTrail(p);
  const [units, page] = await Promise.all([
    unitList(),
    get(`/v1/violations${query({ ...filters, limit: PAGE, cursor })}`),
  ]);

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('queue.filters') },
    h('div', {}, ...select('status', t('queue.status'), [['', t('queue.any')], ...['pending', 'confirmed', 'dismissed'].map((s) => [s, t(`status.${s}`)])], filters.status)),
    h('div', {}, ...select('unit_id', t('queue.unit'), [['', t('queue.any')], ...units.map((u) => [u.id, `${u.code} — ${u.name}`])], filters.unit_id)),
    h('div', {}, ...select('code', t('queue.code'), [['', t('queue.any')], ...VIOLATION_CODES.map((c) => [c, t(`code.${c}`)])], filters.code)),
    h('div', {}, h('label', { for: 'from' }, t('queue.from')), h('input', { id: 'from', name: 'from', type: 'date', value: filters.from })),
    h('div', {}, h('label', { for: 'to' }, t('queue.to')), h('input', { id: 'to', name: 'to', type: 'date', value: filters.to })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('queue.apply')),
      h('button', { type: 'button', onclick: () => ctx.go('/violations') }, t('queue.reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    ctx.go('/violations', Object.fromEntries(FILTERS.map((k) => [k, data.get(k) || '']).filter(([, v]) => v)));
  });

  const names = await Promise.all(page.items.map((v) => employee(v.employee_id)));
  const unitOf = await Promise.all(page.items.map((v) => unit(v.unit_id)));
  const rows = page.items.map((v, i) => h('tr', { 'data-violation': v.id },
    h('td', { 'data-label': t('queue.day') }, day(v.day)),
    h('td', { 'data-label': t('queue.employee') }, names[i] ? names[i].name : `#${v.employee_id}`),
    h('td', { 'data-label': t('queue.unit') }, unitOf[i] ? unitOf[i].code : `#${v.unit_id}`),
    h('td', { 'data-label': t('queue.code') }, t(`code.${v.code}`)),
    h('td', { 'data-label': t('queue.status') }, h('span', { class: `badge ${v.status}` }, t(`status.${v.status}`))),
    h('td', {}, h('a', { href: `#/violations/${v.id}`, class: 'open', 'aria-label': `${t('queue.open')}: ${t(`code.${v.code}`)}, ${names[i] ? names[i].name : ''}` }, t('queue.open')))));

  const keep = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  return h('section', { class: 'queue' },
    h('h1', {}, t('queue.title')),
    form,
    page.items.length === 0 ? h('p', { class: 'empty' }, t('queue.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('queue.day'), t('queue.employee'), t('queue.unit'), t('queue.code'), t('queue.status'), ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows)),
    pager(ctx, '/violations', keep, trail, page.next_cursor));
}
