// Discipline cases (PP 94/2021; docs/discipline.md): the list, and a case from
// its summons to its decision. The supervisor (the direct superior) opens a case
// on the employee's confirmed violations (from the discipline page) and records
// the examination; the employee's statement is shown beside the evidence; the
// reviewer decides, with the sanction the thresholds suggested preselected.
import { errorMessage, get, post } from '../api.js';
import { h } from '../dom.js';
import { SANCTIONS, SANCTIONS_OF_PP53_ONLY, t } from '../i18n.js';
import { dateTime, day } from '../format.js';

const TZ = 'Asia/Jakarta';

export async function casesView(ctx) {
  const status = ctx.params.get('status') || '';
  const query = status ? `?status=${encodeURIComponent(status)}` : '';
  const list = await get(`/v1/discipline/cases${query}`);
  const select = h('select', { id: 'case-status', name: 'status' },
    ['', 'summoned', 'examined', 'decided'].map((s) => h('option', { value: s, selected: s === status }, s ? t(`case.status.${s}`) : t('case.status.any'))));
  const form = h('form', { class: 'filters inline' },
    h('div', {}, h('label', { for: 'case-status' }, t('case.status')), select),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('disc.show'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.go('/cases', { status: select.value }); });
  const rows = list.items.map((c) => h('tr', { 'data-case': c.id },
    h('td', { 'data-label': t('queue.employee') }, h('a', { href: `#/cases/${c.id}` }, c.employee ? c.employee.name : `#${c.employee_id}`)),
    h('td', { 'data-label': t('case.year') }, String(c.year)),
    h('td', { 'data-label': t('case.violations') }, String(c.violations.length)),
    h('td', { 'data-label': t('case.suggested') }, c.suggested_sanction ? t(`sanction.${c.suggested_sanction}`) : '—'),
    h('td', { 'data-label': t('case.status') }, h('span', { class: `badge ${c.status}` }, t(`case.status.${c.status}`)))));
  return h('section', { class: 'cases' },
    h('h1', {}, t('case.title')), form,
    rows.length
      ? h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('queue.employee'), t('case.year'), t('case.violations'), t('case.suggested'), t('case.status')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows))
      : h('p', { class: 'notice' }, t('case.empty')));
}

function stepForm(id, label, field, button, onSubmit) {
  const text = h('textarea', { id: field, name: field, rows: 4, required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h('form', { id, class: 'card' }, h('label', { for: field }, label), text, error,
    h('button', { type: 'submit', class: 'primary' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await onSubmit(text.value.trim());
    } catch (err) {
      error.textContent = errorMessage(err);
      error.hidden = false;
    }
  });
  return form;
}

function decisionForm(ctx, c) {
  // The case's violations are by day: before 31 August 2021 PP 53/2010 judged, and its own sanctions may be chosen.
  const beforePp94 = (c.violations || []).length > 0 && c.violations[0].day < '2021-08-31';
  const sanction = h('select', { id: 'case-sanction', name: 'sanction' },
    SANCTIONS.filter((s) => beforePp94 || !SANCTIONS_OF_PP53_ONLY.includes(s)).map((s) => h('option', { value: s, selected: s === c.suggested_sanction }, t(`sanction.${s}`))));
  const reason = h('textarea', { id: 'case-reason', name: 'reason', rows: 3 });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h('form', { id: 'case-decision', class: 'card' },
    h('h2', {}, t('case.decide')),
    h('p', {}, t('case.suggested.is', { sanction: c.suggested_sanction ? t(`sanction.${c.suggested_sanction}`) : '—' })),
    h('label', { for: 'case-sanction' }, t('case.sanction')), sanction,
    h('label', { for: 'case-reason' }, t('case.reason')), reason, error,
    h('button', { type: 'submit', class: 'primary' }, t('case.decide.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post(`/v1/discipline/cases/${c.id}/decision`, { sanction: sanction.value, reason: reason.value.trim() || null, version: c.version });
      ctx.session.message = { text: t('case.decided'), kind: 'success' };
      ctx.go(`/cases/${c.id}`);
    } catch (err) {
      error.textContent = errorMessage(err);
      error.hidden = false;
    }
  });
  return form;
}

export async function caseView(ctx) {
  const c = await get(`/v1/discipline/cases/${ctx.match[0]}`);
  const role = ctx.session.who.role;
  const name = c.employee ? c.employee.name : `#${c.employee_id}`;
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, t('queue.employee')), h('dd', {}, h('a', { href: `#/employees/${c.employee_id}/discipline?year=${c.year}` }, name)),
    h('dt', {}, t('case.status')), h('dd', {}, h('span', { class: `badge ${c.status}`, id: 'case-state' }, t(`case.status.${c.status}`))),
    h('dt', {}, t('case.summoned_for')), h('dd', {}, dateTime(c.summoned_for, TZ)),
    h('dt', {}, t('case.suggested')), h('dd', { id: 'case-suggested' }, c.suggested_sanction ? t(`sanction.${c.suggested_sanction}`) : '—'));
  const violations = h('ul', { id: 'case-violations' }, c.violations.map((v) => h('li', {},
    h('a', { href: `#/violations/${v.id}` }, `${t(`code.${v.code}`)}: ${day(v.day)}`))));
  const parts = [
    h('p', {}, h('a', { href: '#/cases' }, t('case.back'))),
    h('h1', {}, t('case.heading', { name })),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, t('case.facts')), facts),
      h('section', { class: 'card' }, h('h2', {}, t('case.violations')), violations),
      h('section', { class: 'card', id: 'case-examination' }, h('h2', {}, t('case.examination')),
        c.examination ? h('p', { class: 'record' }, c.examination.record) : h('p', {}, t('case.examination.none'))),
      h('section', { class: 'card', id: 'case-statement' }, h('h2', {}, t('case.statement')),
        c.statement ? h('p', { class: 'record' }, c.statement.text) : h('p', {}, t('case.statement.none')))),
  ];
  if (c.decision) {
    parts.push(h('section', { class: 'card', id: 'case-decided' }, h('h2', {}, t('case.decision')),
      h('p', {}, `${t(`sanction.${c.decision.sanction}`)}${c.decision.reason ? ` — ${c.decision.reason}` : ''}`),
      h('p', { class: 'muted' }, `${c.decision.decided_by_username || ''} · ${dateTime(c.decision.decided_at, TZ)}`)));
  } else if (c.status === 'summoned' && role === 'supervisor') {
    parts.push(stepForm('case-examine', t('case.examination.record'), 'record', t('case.examination.save'), async (record) => {
      await post(`/v1/discipline/cases/${c.id}/examination`, { record });
      ctx.session.message = { text: t('case.examined'), kind: 'success' };
      ctx.go(`/cases/${c.id}`);
    }));
  } else if (c.status === 'examined' && role === 'reviewer') {
    parts.push(decisionForm(ctx, c));
  }
  return h('article', { class: 'case' }, ...parts);
}

// The supervisor's summons, on the discipline page: the employee's confirmed violations of the year.
export async function summonForm(ctx, employeeId, year) {
  const list = await get(`/v1/violations?status=confirmed&from=${year}-01-01&to=${year}-12-31&limit=500`);
  const mine = list.items.filter((v) => v.employee_id === String(employeeId));
  if (!mine.length) return null;
  const boxes = mine.map((v) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'violation', value: v.id, checked: true }), ` ${t(`code.${v.code}`)}: ${day(v.day)}`));
  const when = h('input', { id: 'summoned-for', name: 'summoned_for', type: 'datetime-local', required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h('form', { id: 'case-summon', class: 'card' }, h('h2', {}, t('case.summon')),
    h('fieldset', {}, h('legend', {}, t('case.violations')), ...boxes),
    h('label', { for: 'summoned-for' }, t('case.summoned_for')), when, error,
    h('button', { type: 'submit', class: 'primary' }, t('case.summon.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ids = [...form.querySelectorAll('input[name=violation]:checked')].map((b) => b.value);
    try {
      // The time is the unit's (WIB in the demo agency): sent with its offset.
      const c = await post('/v1/discipline/cases', { employee_id: String(employeeId), violation_ids: ids, summoned_for: `${when.value}:00+07:00` });
      ctx.session.message = { text: t('case.summoned'), kind: 'success' };
      ctx.go(`/cases/${c.case_id || c.id}`);
    } catch (err) {
      error.textContent = errorMessage(err);
      error.hidden = false;
    }
  });
  return form;
}
