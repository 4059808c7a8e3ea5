// The admin area (#admin, in place of the open room; its link in the sidebar is shown to admins
// only, moderators get no admin area): the users, searched by name or e-mail and filtered by
// status and role, each with Disable/Enable and a role select (not our own row: the server
// refuses changes to oneself), then the audit log, newest first, with More for older rows. Every
// value shown is text (textContent), never HTML: usernames and audit values are typed by people.
import { $, el, time } from '../dom.js';
import * as adminData from '../admin.js';
import { isAdmin } from '../moderation.js';
import * as store from '../state.js';

const { admin } = adminData;

const ROLES = ['user', 'moderator', 'admin'];

/** Shows the area (open: #admin was asked for) or hides it; not an admin: back to the chat. */
export function show(open) {
  if (open && !isAdmin()) {
    location.hash = '';
    return;
  }
  document.body.classList.toggle('in-admin', open);
  $('#admin-view').hidden = !open;
  if (!open) return;
  $('#room').hidden = true;
  $('#billing-view').hidden = true;
  $('#profile-view').hidden = true;
  adminData.listUsers(readFilter());
  adminData.loadAudit();
}

export function mount() {
  store.on('admin.users', renderUsers);
  store.on('admin.audit', renderAudit);
  // opening a room from the sidebar leaves the admin area
  store.on('room', () => { if (!$('#admin-view').hidden && store.state.current) location.hash = ''; });
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
  $('#admin-audit-more').addEventListener('click', () => adminData.loadAudit(true));
}

function readFilter() {
  const f = new FormData($('#admin-user-filter'));
  return { q: String(f.get('q') || '').trim(), status: f.get('status') || '', role: f.get('role') || '' };
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
    el('td', {}, el('strong', {}, u.username), self ? ' (you)' : null),
    el('td', {}, u.email || ''),
    el('td', {}, u.plan_code || ''),
    el('td', {}, el('span', { class: `user-status ${u.status}`, 'data-testid': 'admin-user-status' }, u.status), ' ',
      self ? null : el('button', { type: 'button', 'data-testid': 'admin-toggle-status', disabled: busy,
        onclick: () => adminData.updateUser(u.id, { status: disabled ? 'active' : 'disabled' }) }, disabled ? 'Enable' : 'Disable')),
    el('td', {}, role));
}

function renderAudit() {
  const body = $('#admin-audit');
  body.replaceChildren(...admin.audit.map(auditRow));
  if (!admin.audit.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'Nothing yet')));
  $('#admin-audit-more').hidden = !admin.auditBefore;
}

function auditRow(row) {
  const target = row.target_type === 'user' ? adminData.nameOf(row.target_id)
    : `${row.target_type}${row.target_id === null ? '' : ` #${row.target_id}`}`;
  return el('tr', { 'data-testid': 'audit-row', dataset: { id: row.id, action: row.action } },
    el('td', {}, el('time', { datetime: row.at, title: row.at }, `${new Date(row.at).toLocaleDateString()} ${time(row.at)}`)),
    el('td', { 'data-testid': 'audit-actor' }, adminData.nameOf(row.actor_id)),
    el('td', { 'data-testid': 'audit-action' }, row.action),
    el('td', { 'data-testid': 'audit-target' }, target),
    el('td', { 'data-testid': 'audit-change', class: 'change' }, change(row.before, row.after)));
}

/** before → after: of an update, each field that changed ("status: active → disabled"); else each side whole. */
function change(before, after) {
  const value = (v) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  const whole = (obj) => (obj ? Object.entries(obj).map(([k, v]) => `${k}: ${value(v)}`).join(', ') || '—' : '—');
  if (!before || !after) return `${whole(before)} → ${whole(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return keys.map((k) => `${k}: ${value(before[k])} → ${value(after[k])}`).join(', ') || 'no change';
}
