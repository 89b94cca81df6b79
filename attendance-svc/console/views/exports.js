// The nightly export's runs, newest first, with their files and uploads.
import { get, query } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime, day, number } from '../format.js';

function runRow(run) {
  const tz = 'Asia/Jakarta';
  return h('tr', {},
    h('td', { 'data-label': t('exp.date') }, day(run.date)),
    h('td', { 'data-label': t('exp.started') }, dateTime(run.started_at, tz)),
    h('td', { 'data-label': t('exp.finished') }, dateTime(run.finished_at, tz)),
    h('td', { 'data-label': t('exp.status') }, h('span', { class: `badge ${run.status}` }, t(`exp.status.${run.status}`))),
    h('td', { 'data-label': t('exp.files') }, h('ul', { class: 'files' }, (run.files || []).map((f) => h('li', {},
      h('code', {}, f.name), ` — ${t('exp.rows', { n: number(f.rows) })}, `,
      h('abbr', { title: f.sha256 }, `sha256 ${f.sha256.slice(0, 12)}…`))))),
    h('td', { 'data-label': t('exp.upload') }, t(`exp.upload.${run.upload || 'none'}`)));
}

export async function exportsView() {
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('exp.more'));
  let cursor = null;
  async function load() {
    const page = await get(`/v1/exports${query({ limit: 20, cursor })}`);
    body.append(...page.items.map(runRow));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    return page.items.length;
  }
  more.addEventListener('click', () => load());
  const count = await load();
  return h('section', { class: 'exports' },
    h('h1', {}, t('exp.title')),
    count === 0 ? h('p', { class: 'empty' }, t('exp.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('exp.date'), t('exp.started'), t('exp.finished'), t('exp.status'), t('exp.files'), t('exp.upload')].map((c) => h('th', { scope: 'col' }, c)))),
        body),
    more);
}
