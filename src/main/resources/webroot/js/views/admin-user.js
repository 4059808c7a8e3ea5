// One person's page in the admin area (#admin/users/{id}): status with Disable/Enable, role,
// e-mail and whether it is verified, the plan in force with its end (a grant's or the paid
// period's), a manual plan grant (a plan on sale until the end of a chosen day), today's
// usage against the plan's limits, their rooms, their last payments and the audit rows about
// them. Our own page offers no status or role change: the server refuses changes to oneself.
// Values are text, never HTML.
import { $, date, el } from '../dom.js';
import * as plansData from '../admin-plans.js';
import * as userData from '../admin-user.js';
import * as store from '../state.js';
import { auditRow, stamp } from './admin-audit.js';
import { paymentCells } from './admin-payments.js';
import { showNotice } from './notices.js';

const { page } = userData;
const ROLES = ['user', 'moderator', 'admin'];

export function show(id) {
  $('#admin-user-all-payments').href = `#admin/payments?user_id=${id}`;
  const until = $('#admin-grant-form').elements.plan_until;
  until.min = localDay(new Date());
  userData.openUser(id);
  plansData.loadPlans();
}

export function mount() {
  store.on('admin.user', render);
  store.on('admin.plans', () => { renderGrantChoices(); render(); });
  $('#admin-grant-form').addEventListener('submit', grant);
}

/** A day as the date input writes it (YYYY-MM-DD), in the reader's time zone. */
function localDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function grant(e) {
  e.preventDefault();
  const form = e.target;
  const code = form.elements.plan_code.value;
  const day = form.elements.plan_until.value;
  if (!code || !day) return;
  // the grant runs to the end of the chosen day, in the admin's time zone
  const until = new Date(`${day}T23:59:59.999`);
  if (await userData.changeUser({ plan_code: code, plan_until: until.toISOString() })) {
    showNotice(`${plansData.planOf(code) ? plansData.planOf(code).name : code} granted until ${date(until.toISOString())}.`);
  }
}

function renderGrantChoices() {
  const select = $('#admin-grant-form').elements.plan_code;
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'pick a plan'),
    ...plansData.grantable().map((p) => el('option', { value: p.code, selected: p.code === chosen }, `${p.name} (${p.code})`)));
}

function render() {
  const view = $('#admin-user-page');
  if (view.hidden) return;
  const data = page.data;
  $('#admin-user-missing').hidden = !page.missing;
  $('#admin-grant-form').hidden = !data;
  $('#admin-grant').disabled = page.busy;
  view.dataset.userId = page.id;
  view.classList.toggle('busy', page.busy);
  if (!data || data.user.id !== page.id) {
    $('#admin-user-name').textContent = page.missing ? `user #${page.id}` : 'Loading…';
    for (const id of ['#admin-user-facts', '#admin-user-rooms', '#admin-user-payments', '#admin-user-trail']) $(id).replaceChildren();
    return;
  }
  const u = data.user;
  $('#admin-user-name').textContent = u.username;
  $('#admin-user-facts').replaceChildren(...facts(u, data.today));
  const rooms = $('#admin-user-rooms');
  rooms.replaceChildren(...data.rooms.map((r) => el('li', { 'data-testid': 'admin-user-room', dataset: { roomId: r.id } },
    el('span', {}, r.kind === 'direct' ? 'conversation' : (r.name || `room #${r.id}`)), el('small', {}, `${r.kind} · ${r.role}`))));
  if (!data.rooms.length) rooms.append(el('li', { class: 'empty' }, 'In no room'));
  const payments = $('#admin-user-payments');
  payments.replaceChildren(...data.payments.map((p) => el('tr', { 'data-testid': 'admin-user-payment', dataset: { paymentId: p.id } },
    paymentCells(p, false))));
  if (!data.payments.length) payments.append(el('tr', { class: 'empty' }, el('td', { colspan: 4 }, 'No payments')));
  const trail = $('#admin-user-trail');
  trail.replaceChildren(...page.trail.map(auditRow));
  if (!page.trail.length) trail.append(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'Nothing yet')));
}

function facts(u, today) {
  const self = store.isMine(u.id);
  const disabled = u.status === 'disabled';
  const plan = plansData.planOf(u.plan_code);
  const until = userData.planUntil();
  const fact = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  const limit = (n) => (plan ? ` of ${n === null ? 'unlimited' : n}` : '');
  return [
    ...fact('Status', el('span', { class: `user-status ${u.status}`, 'data-testid': 'admin-user-page-status' }, u.status), ' ',
      self ? el('small', {}, '(you)') : el('button', { type: 'button', 'data-testid': 'admin-user-toggle-status', disabled: page.busy,
        onclick: () => userData.changeUser({ status: disabled ? 'active' : 'disabled' }) }, disabled ? 'Enable' : 'Disable')),
    ...fact('Role', el('select', { 'aria-label': `Role of ${u.username}`, 'data-testid': 'admin-user-role', disabled: self || page.busy,
      onchange: (e) => userData.changeUser({ role: e.target.value }) },
    ...ROLES.map((r) => el('option', { value: r, selected: r === u.role }, r)))),
    ...fact('E-mail', u.email, ' · ', el('span', { 'data-testid': 'admin-user-verified' }, u.email_verified ? 'verified' : 'not verified'),
      ' ', el('button', { type: 'button', class: 'link', 'data-testid': 'admin-user-verify', disabled: page.busy,
        onclick: () => userData.changeUser({ email_verified: !u.email_verified }) }, u.email_verified ? 'mark unverified' : 'mark verified')),
    ...fact('Plan', el('span', { 'data-testid': 'admin-user-plan', dataset: { code: u.plan_code } },
      plan ? `${plan.name} (${u.plan_code})` : u.plan_code),
    until ? el('span', { 'data-testid': 'admin-user-plan-until', dataset: { until } }, ` until ${date(until)}`) : null),
    ...fact('Today', el('span', { 'data-testid': 'admin-user-usage' },
      `${today.messages} messages${limit(plan && plan.daily_message_limit)}, `
      + `${today.assistant_replies} assistant replies${limit(plan && plan.daily_assistant_limit)}`)),
    ...fact('Joined', u.created_at ? stamp(u.created_at) : '—'),
  ];
}
