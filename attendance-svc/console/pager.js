// Paging a list through the API's cursor: the cursors of the pages before this
// one are kept in the address (trail), so that "previous" and reloading work.
import { h } from './dom.js';
import { t } from './i18n.js';

// The cursor to fetch this page with ('' for the first) and the trail that led here.
export function pageTrail(params) {
  const trail = (params.get('trail') || '').split(',').filter(Boolean);
  return { trail, cursor: trail.length ? trail[trail.length - 1] : '' };
}

// First, previous and next for a list at path whose filters are keep.
export function pager(ctx, path, keep, trail, nextCursor) {
  const link = (label, params) => h('a', { href: '#', class: 'button', onclick: (e) => { e.preventDefault(); ctx.go(path, params); } }, label);
  return h('nav', { class: 'pager', 'aria-label': t('queue.page', { n: trail.length + 1 }) },
    trail.length ? link(t('queue.first'), keep) : null,
    trail.length ? link(t('queue.prev'), { ...keep, ...(trail.length > 1 ? { trail: trail.slice(0, -1).join(',') } : {}) }) : null,
    h('span', {}, t('queue.page', { n: trail.length + 1 })),
    nextCursor ? link(t('queue.next'), { ...keep, trail: [...trail, nextCursor].join(',') }) : null);
}
