// An employee's discipline summary for a year (PP 94/2021): confirmed absent
// days, late and early minutes and their day-equivalent, the days still
// pending apart, and the sanction the confirmed ones suggest.
import { get } from '../api.js';
import { summonForm } from './cases.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { number } from '../format.js';

export async function disciplineView(ctx) {
  const employeeId = ctx.match[0];
  const year = /^\d{4}$/.test(ctx.params.get('year') || '') ? ctx.params.get('year') : String(new Date().getFullYear());
  const [who, d] = await Promise.all([get(`/v1/employees/${employeeId}`), get(`/v1/employees/${employeeId}/discipline?year=${year}`)]);
  const yearInput = h('input', { id: 'year', name: 'year', type: 'number', min: 1900, max: 9999, value: year });
  const form = h('form', { class: 'filters inline' },
    h('div', {}, h('label', { for: 'year' }, t('disc.year')), yearInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('disc.show'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.go(`/employees/${employeeId}/discipline`, { year: yearInput.value }); });
  const stat = (label, value, id) => h('div', { class: 'stat' }, h('span', { class: 'value', id }, value), h('span', { class: 'label' }, label));
  const suggested = d.suggested
    ? h('p', { class: 'suggested', id: 'suggested' }, `${t(`sanction.${d.suggested.sanction}`)} (${t(`level.${d.suggested.level}`)})`)
    : h('p', { class: 'suggested none', id: 'suggested' }, t('disc.suggested.none'));
  const summon = ctx.session.who.role === 'supervisor' ? await summonForm(ctx, employeeId, year) : null;
  return h('section', { class: 'discipline' },
    h('h1', {}, t('disc.title', { year: d.year, name: who.name })),
    h('p', {}, `NIP ${who.nip}`),
    form,
    h('div', { class: 'stats' },
      stat(t('disc.absent'), number(d.absent_days), 'absent-days'),
      stat(t('disc.pending'), number(d.pending_days), 'pending-days'),
      stat(t('disc.late'), number(d.late_minutes)),
      stat(t('disc.early'), number(d.early_minutes)),
      stat(t('disc.minute_days', { per: d.minutes_per_day }), number(d.minute_days, 2)),
      stat(t('disc.total'), number(d.total_days, 2), 'total-days'),
      stat(t('disc.run'), number(d.longest_absent_run))),
    h('section', { class: 'card' }, h('h2', {}, t('disc.suggested')), suggested),
    summon,
    h('section', { class: 'card' }, h('h2', {}, t('disc.thresholds')),
      h('table', { class: 'list compact' },
        h('tbody', {}, (d.thresholds || []).map((th) => h('tr', { class: d.suggested && d.suggested.sanction === th.sanction ? 'current' : null },
          h('td', {}, t(`disc.threshold.${th.kind}`, { days: th.min_days })),
          h('td', {}, t(`sanction.${th.sanction}`)),
          h('td', {}, t(`level.${th.level}`))))))));
}
