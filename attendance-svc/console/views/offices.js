// Offices and their kiosks: the kiosks of an office with their last use; an
// admin makes one (its secret shown once, as a link that provisions the
// tablet at the entrance: the secret travels in the link's fragment, which no
// browser sends to a server) and revokes one.
import { api, errorMessage, get, post, query, unitList } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dateTime } from '../format.js';

export async function officesView(ctx) {
  const units = await unitList();
  const page = await get(`/v1/offices${query({ limit: 500 })}`);
  const name = (id) => { const u = units.find((x) => x.id === id); return u ? `${u.code} — ${u.name}` : id; };
  return h('section', { class: 'offices' }, h('h1', {}, t('offices.title')),
    page.items.length === 0 ? h('p', {}, t('offices.none')) : h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, [t('offices.office'), t('offices.unit')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.items.map((o) => h('tr', { 'data-office': o.id },
        h('td', { 'data-label': t('offices.office') }, h('a', { href: `#/offices/${o.id}` }, o.name)),
        h('td', { 'data-label': t('offices.unit') }, name(o.unit_id)))))));
}

// The link that provisions a kiosk page, absolute (it is opened on the tablet).
function provisioningLink(made) {
  const fragment = new URLSearchParams({ kiosk_id: made.kiosk_id, secret: made.secret, period_s: made.period_s, label: made.label });
  return `${location.origin}/kiosk/#${fragment}`;
}

export async function officeView(ctx) {
  const [officeId] = ctx.match;
  const office = await get(`/v1/offices/${officeId}`);
  const units = await unitList();
  const unit = units.find((u) => u.id === office.unit_id);
  const tz = unit ? unit.timezone : 'Asia/Jakarta';
  const kiosks = await get(`/v1/offices/${officeId}/kiosks${query({ limit: 500 })}`);
  const admin = ctx.session.who.role === 'admin';
  const section = h('section', { class: 'office' }, h('h1', {}, t('office.title', { office: office.name })),
    h('p', { class: 'lead' }, t('office.lead')));
  if (ctx.params.get('made') && ctx.session.madeKiosk && ctx.session.madeKiosk.office_id === officeId) {
    const made = ctx.session.madeKiosk;
    ctx.session.madeKiosk = null; // shown once: a reload no longer has it
    const link = provisioningLink(made);
    section.append(h('div', { class: 'notice success', id: 'provision' },
      h('p', {}, t('office.made', { label: made.label })),
      h('p', {}, h('a', { href: link, id: 'provision-link', target: '_blank', rel: 'noopener noreferrer' }, t('office.open'))),
      h('p', {}, t('office.secret'), ' ', h('code', { id: 'kiosk-secret' }, made.secret)),
      h('p', { class: 'hint' }, t('office.once'))));
  }
  section.append(kiosks.items.length === 0 ? h('p', {}, t('office.none')) : h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, [t('office.kiosk'), 'ID', t('office.state'), t('office.made_at'), t('office.last_use'), ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, kiosks.items.map((k) => h('tr', { 'data-kiosk': k.id },
      h('td', { 'data-label': t('office.kiosk') }, k.label),
      h('td', { 'data-label': 'ID' }, k.id),
      h('td', { 'data-label': t('office.state') }, h('span', { class: `badge ${k.active ? 'present' : 'absent'}` }, t(k.active ? 'office.active' : 'office.revoked'))),
      h('td', { 'data-label': t('office.made_at') }, dateTime(k.created_at, tz)),
      h('td', { 'data-label': t('office.last_use'), class: 'last-use' }, k.last_used_at ? dateTime(k.last_used_at, tz) : t('office.never')),
      h('td', {}, admin && k.active ? h('button', {
        type: 'button', class: 'link revoke',
        onclick: async () => {
          if (!window.confirm(t('office.confirm', { label: k.label }))) return;
          await api('DELETE', `/v1/offices/${officeId}/kiosks/${k.id}`);
          ctx.go(`/offices/${officeId}`);
        },
      }, t('office.revoke')) : null))))));
  if (admin) {
    const label = h('input', { id: 'kiosk-label', name: 'label', required: true, maxlength: 200 });
    const form = h('form', { class: 'filters inline', id: 'new-kiosk' },
      h('div', {}, h('label', { for: 'kiosk-label' }, t('office.label')), label),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('office.make'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        ctx.session.madeKiosk = await post(`/v1/offices/${officeId}/kiosks`, { label: label.value.trim() });
        ctx.go(`/offices/${officeId}`, { made: '1' });
      } catch (err) {
        ctx.notice(errorMessage(err), 'error');
      }
    });
    section.append(h('h2', {}, t('office.new')), form);
  }
  return section;
}
