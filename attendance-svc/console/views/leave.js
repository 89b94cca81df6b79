// The supervisor's leave queue: requests of its unit and the units under it,
// pending first by default, each with its letter and the approve and reject
// buttons. A decision names the version it was read at; a request decided by
// someone else first is 409 and the page is drawn again with a message.
import { errorMessage, get, post, query } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { day } from '../format.js';
import { pager, pageTrail } from '../pager.js';

const PAGE = 25;
const STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'];

function span(l) {
  const days = l.from === l.to ? day(l.from) : `${day(l.from)} – ${day(l.to)}`;
  return l.start ? `${days}, ${l.start}–${l.end}` : days;
}

function decideButtons(ctx, l, status) {
  if (ctx.session.who.role !== 'supervisor' || l.status !== 'pending') return null;
  const error = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const decide = async (decision, button) => {
    button.disabled = true;
    error.hidden = true;
    try {
      await post(`/v1/leave/${l.id}/decision`, { decision, note: null, version: l.version });
      ctx.session.message = { text: t(`leave.saved.${decision}`), kind: 'success' };
      ctx.go('/leave', { status });
    } catch (err) {
      if (err.code === 'version_conflict') {
        ctx.session.message = { text: t('leave.conflict'), kind: 'error conflict' };
        ctx.go('/leave', { status });
        return;
      }
      error.textContent = errorMessage(err);
      error.hidden = false;
      button.disabled = false;
    }
  };
  const approve = h('button', { type: 'button', class: 'primary', 'data-decide': 'approved' }, t('leave.approve'));
  const reject = h('button', { type: 'button', 'data-decide': 'rejected' }, t('leave.reject'));
  approve.addEventListener('click', () => decide('approved', approve));
  reject.addEventListener('click', () => decide('rejected', reject));
  return h('div', { class: 'actions' }, approve, reject, error);
}

export async function leaveView(ctx) {
  const status = STATUSES.includes(ctx.params.get('status')) ? ctx.params.get('status') : 'pending';
  const { trail, cursor } = pageTrail(ctx.params);
  const page = await get(`/v1/leave${query({ status, limit: PAGE, cursor })}`);
  const select = h('select', { id: 'status', name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, t(`leave.status.${s}`))));
  const form = h('form', { class: 'filters inline' },
    h('div', {}, h('label', { for: 'status' }, t('queue.status')), select),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('queue.apply'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.go('/leave', { status: select.value }); });
  const rows = page.items.map((l) => h('tr', { 'data-leave': l.id },
    h('td', { 'data-label': t('queue.employee') }, l.employee ? `${l.employee.name} (${l.employee.nip})` : `#${l.employee_id}`),
    h('td', { 'data-label': t('leave.kind') }, t(`leave.kind.${l.kind}`)),
    h('td', { 'data-label': t('leave.span') }, span(l), ' ', h('span', { class: 'days' }, t('leave.days', { n: l.working_days }))),
    h('td', { 'data-label': t('leave.reason') }, l.reason),
    h('td', { 'data-label': t('leave.attachment') }, l.attachment
      ? h('a', { href: l.attachment.url, target: '_blank', rel: 'noopener', class: 'attachment' }, t('leave.attachment.open'))
      : t('leave.attachment.none')),
    h('td', { 'data-label': t('queue.status') }, h('span', { class: `badge ${l.status}` }, t(`leave.status.${l.status}`)),
      decideButtons(ctx, l, status))));
  return h('section', { class: 'leave' },
    h('h1', {}, t('leave.title')),
    form,
    page.items.length === 0 ? h('p', { class: 'empty' }, t('leave.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('queue.employee'), t('leave.kind'), t('leave.span'), t('leave.reason'), t('leave.attachment'), t('queue.status')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows)),
    pager(ctx, '/leave', { status }, trail, page.next_cursor));
}
