// The nightly export's runs (GET /v1/exports, reviewers and admins): each
// run's day, outcome, times, what its closure flagged and its files with
// their rows and SHA-256, newest first, a page at a time. Times are shown in
// the signed-in staff member's unit's zone (the job is national), WIB without one.
import { get, query, unit } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime, day, number } from '../format.js';
import { pager, pageTrail } from '../pager.js';

const PAGE = 20;
const STATUSES = ['running', 'succeeded', 'failed'];

function files(run) {
  if (!run.files.length) return t('exports.nofiles');
  return h('details', {},
    h('summary', {}, t('exports.files', { n: run.files.length })),
    h('table', { class: 'list compact files' },
      h('thead', {}, h('tr', {}, [t('exports.file'), t('exports.rows'), 'SHA-256'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, run.files.map((f) => h('tr', {},
        h('td', { 'data-label': t('exports.file') }, f.name),
        h('td', { 'data-label': t('exports.rows') }, f.rows === null ? '—' : number(f.rows)),
        h('td', { 'data-label': 'SHA-256' }, h('code', { class: 'hash' }, f.sha256)))))));
}

export async function exportsView(ctx) {
  const p = ctx.params;
  const filters = { date: /^\d{4}-\d{2}-\d{2}$/.test(p.get('date') || '') ? p.get('date') : '', status: STATUSES.includes(p.get('status')) ? p.get('status') : '' };
  const { trail, cursor } = pageTrail(p);
  const [mine, page] = await Promise.all([
    ctx.session.who.unit_id ? unit(ctx.session.who.unit_id) : null,
    get(`/v1/exports${query({ ...filters, limit: PAGE, cursor })}`),
  ]);
  const tz = mine ? mine.timezone : 'Asia/Jakarta';

  const dateInput = h('input', { id: 'date', name: 'date', type: 'date', value: filters.date });
  const statusSelect = h('select', { id: 'status', name: 'status' },
    [['', t('queue.any')], ...STATUSES.map((s) => [s, t(`exports.status.${s}`)])].map(([v, text]) => h('option', { value: v, selected: v === filters.status }, text)));
  const form = h('form', { class: 'filters inline', role: 'search', 'aria-label': t('queue.filters') },
    h('div', {}, h('label', { for: 'date' }, t('exports.date')), dateInput),
    h('div', {}, h('label', { for: 'status' }, t('queue.status')), statusSelect),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('queue.apply'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go('/exports', Object.fromEntries([['date', dateInput.value], ['status', statusSelect.value]].filter(([, v]) => v)));
  });

  const outcome = (run) => h('span', { class: `badge ${run.status}` },
    run.failed_step ? `${t(`exports.status.${run.status}`)}: ${t(`exports.step.${run.failed_step}`)}` : t(`exports.status.${run.status}`));
  const closure = (run) => (run.closure ? t('exports.closure', { absent: number(run.closure.absent), no_checkout: number(run.closure.no_checkout) }) : '—');
  const rows = page.items.map((run) => h('tr', { 'data-run': run.id },
    h('td', { 'data-label': t('exports.date') }, day(run.date)),
    h('td', { 'data-label': t('queue.status') }, outcome(run)),
    h('td', { 'data-label': t('exports.started') }, dateTime(run.started_at, tz)),
    h('td', { 'data-label': t('exports.finished') }, dateTime(run.finished_at, tz)),
    h('td', { 'data-label': t('exports.flagged') }, closure(run)),
    h('td', { 'data-label': t('exports.upload') }, run.upload_url || t('exports.noupload')),
    h('td', { 'data-label': t('exports.filescol') }, files(run))));

  const keep = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  return h('section', { class: 'exports' },
    h('h1', {}, t('exports.title')),
    h('p', {}, t('exports.lead')),
    form,
    page.items.length === 0 ? h('p', { class: 'empty' }, t('exports.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('exports.date'), t('queue.status'), t('exports.started'), t('exports.finished'), t('exports.flagged'), t('exports.upload'), t('exports.filescol')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows)),
    pager(ctx, '/exports', keep, trail, page.next_cursor));
}
