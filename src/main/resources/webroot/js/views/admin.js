// The admin area (#admin, in place of the open room; its link in the sidebar is shown to admins
// only, moderators get no admin area), in tabs, each its own hash route:
//   #admin, #admin/users   the users, searched by name or e-mail and filtered by status and role,
//                          each with Disable/Enable and a role select (not our own row: the
//                          server refuses changes to oneself); a name opens that person's page
//   #admin/users/{id}      one person's page (views/admin-user.js)
//   #admin/rooms           group rooms with their counts (views/admin-rooms.js)
//   #admin/plans           plans, edited, and new ones (views/admin-plans.js)
//   #admin/payments[?user_id=…]  payments, filtered (views/admin-payments.js)
//   #admin/audit           the audit log (views/admin-audit.js)
// Every value shown is text (textContent), never HTML: usernames and audit values are typed by people.
import { $, el } from '../dom.js';
import * as adminData from '../admin.js';
import * as plansData from '../admin-plans.js';
import { isAdmin } from '../moderation.js';
import * as router from '../router.js';
import * as store from '../state.js';
import * as auditView from './admin-audit.js';
import * as paymentsView from './admin-payments.js';
import * as plansView from './admin-plans.js';
import * as roomsView from './admin-rooms.js';
import * as userView from './admin-user.js';

const { admin } = adminData;

const ROLES = ['user', 'moderator', 'admin'];
const TABS = ['users', 'rooms', 'plans', 'payments', 'audit'];

/** Parses the part of an #admin hash after "admin": {tab, userId} ("" and unknown tabs: users). */
function parse(path) {
  const [first, second] = path.split('/').filter(Boolean);
  const tab = TABS.includes(first) ? first : 'users';
  const userId = tab === 'users' && /^[1-9][0-9]{0,17}$/.test(second || '') ? Number(second) : null;
  return { tab, userId };
}

/**
 * Shows the area at `where` ({path, query} of an #admin hash) or hides it (null); not an admin:
 * back to the chat.
 */
export function show(where) {
  const open = Boolean(where);
  if (open && !isAdmin()) {
    router.replace(router.chatHash());
    return;
  }
  document.body.classList.toggle('in-admin', open);
  $('#admin-view').hidden = !open;
  if (!open) return;
  $('#room').hidden = true;
  $('#billing-view').hidden = true;
  $('#profile-view').hidden = true;
  const { tab, userId } = parse(where.path);
  for (const link of document.querySelectorAll('.admin-tabs [data-tab]')) {
    const current = link.dataset.tab === tab;
    link.classList.toggle('active', current);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  for (const t of TABS) $(`#admin-${t}-tab`).hidden = t !== tab || userId !== null;
  $('#admin-user-page').hidden = userId === null;
  if (userId !== null) userView.show(userId);
  else if (tab === 'users') {
    adminData.listUsers(readFilter());
    if (!plansData.plans.items) plansData.loadPlans();
  }
  else if (tab === 'rooms') roomsView.show();
  else if (tab === 'plans') plansView.show();
  else if (tab === 'payments') paymentsView.show(where.query);
  else auditView.show();
}

export function mount() {
  store.on('admin.users', renderUsers);
  store.on('admin.plans', renderPlanFilter);
  const form = $('#admin-user-filter');
  let typing = null;
  form.addEventListener('submit', (e) => { e.preventDefault(); adminData.listUsers(readFilter()); });
  const search = () => { // as one types (after a short pause) or picks a filter
    clearTimeout(typing);
    typing = setTimeout(() => adminData.listUsers(readFilter()), 250);
  };
  form.addEventListener('input', search);
  form.addEventListener('change', search);
  $('#admin-users-more').addEventListener('click', () => adminData.listUsers(admin.filter, true));
  auditView.mount();
  userView.mount();
  roomsView.mount();
  plansView.mount();
  paymentsView.mount();
}

function readFilter() {
  const f = new FormData($('#admin-user-filter'));
  return { q: String(f.get('q') || '').trim(), status: f.get('status') || '', role: f.get('role') || '',
    plan: f.get('plan') || '', verified: f.get('verified') || '' };
}

/** The plan filter's choices: every plan, sold or not (people may still have one no longer sold). */
function renderPlanFilter() {
  const select = $('#admin-user-filter').elements.plan;
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'any plan'),
    ...(plansData.plans.items || []).map((p) => el('option', { value: p.code, selected: p.code === chosen }, p.name)));
}

function renderUsers() {
  const body = $('#admin-users');
  body.replaceChildren(...admin.users.map(userRow));
  if (!admin.users.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'No one found')));
  $('#admin-users-more').hidden = !admin.usersCursor;
}

function userRow(u) {
  const self = store.isMine(u.id);
  const busy = admin.busy.has(u.id);
  const disabled = u.status === 'disabled';
  const role = el('select', { 'aria-label': `Role of ${u.username}`, 'data-testid': 'admin-role', disabled: self || busy,
    onchange: (e) => adminData.updateUser(u.id, { role: e.target.value }) },
  ...ROLES.map((r) => el('option', { value: r, selected: r === u.role }, r)));
  return el('tr', { 'data-testid': 'admin-user', dataset: { userId: u.id, username: u.username, status: u.status, role: u.role } },
    el('td', {}, el('a', { href: `#admin/users/${u.id}`, 'data-testid': 'admin-user-link' }, el('strong', {}, u.username)),
      self ? ' (you)' : null),
    el('td', {}, u.email || ''),
    el('td', {}, u.plan_code || ''),
    el('td', {}, el('span', { class: `user-status ${u.status}`, 'data-testid': 'admin-user-status' }, u.status), ' ',
      self ? null : el('button', { type: 'button', 'data-testid': 'admin-toggle-status', disabled: busy,
        onclick: () => adminData.updateUser(u.id, { status: disabled ? 'active' : 'disabled' }) }, disabled ? 'Enable' : 'Disable')),
    el('td', {}, role));
}
