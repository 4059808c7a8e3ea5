// The admin area's data and its traffic with the server (openapi.yaml, paths under /admin; admins
// only, the server answers 403 to anyone else): the users, searched and filtered
// (GET /admin/users, paged by cursor), a user's status or role changed (PATCH /admin/users/{id}),
// and the audit log, newest first (GET /admin/audit, paged by `before`). No DOM: views/admin.js
// and views/admin-audit.js draw what is announced. The other tabs have modules of their own:
// admin-user.js (one person's page), admin-plans.js, admin-lists.js (rooms and payments).
//
// Topics (announced through state.js's listeners):
//   'admin.users'  the users shown, or one of them, changed
//   'admin.audit'  the audit log shown changed
import { api } from './session.js';
import { announce, me, reportError } from './state.js';

export const admin = {
  filter: { q: '', status: '', role: '', plan: '', verified: '' },
  users: [],          // as listed, each Me + plan_code
  usersCursor: null,  // next_cursor of the last page: more to list
  busy: new Set(),    // ids of the users being changed
  audit: [],          // rows, newest first
  auditBefore: null,  // next_before of the last page: older rows to load
  names: new Map(),   // user id -> username, for the audit's actors and targets
};

const PAGE = 50;
let listing = 0; // number of the latest search: only it fills the list

function known(users) {
  for (const u of users) admin.names.set(u.id, u.username);
}

/** Lists the users matching {q, status, role} (from the first page), or the next page (more). */
export async function listUsers(filter = admin.filter, more = false) {
  const mine = ++listing;
  admin.filter = filter;
  const query = new URLSearchParams({ limit: String(PAGE) });
  for (const k of ['q', 'status', 'role', 'plan', 'verified']) if (filter[k]) query.set(k, filter[k]);
  if (more && admin.usersCursor) query.set('cursor', admin.usersCursor);
  try {
    const page = await api.get(`/admin/users?${query}`);
    if (mine !== listing) return; // a newer search owns the list
    admin.users = more ? admin.users.concat(page.items) : page.items;
    admin.usersCursor = page.next_cursor;
    known(page.items);
    announce('admin.users');
  } catch (e) {
    reportError(e);
  }
}

/** Changes a user's {status} or {role}; the audit log is reloaded to show the change. */
export async function updateUser(id, change) {
  admin.busy.add(id);
  announce('admin.users');
  try {
    const user = await api.patch(`/admin/users/${id}`, change);
    admin.users = admin.users.map((u) => (u.id === id ? { ...u, ...user } : u));
    known([user]);
  } catch (e) {
    reportError(e);
  } finally {
    admin.busy.delete(id);
    announce('admin.users');
  }
  await loadAudit();
}

/** The newest page of the audit log, or (more) the page after the oldest shown. */
export async function loadAudit(more = false) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (more && admin.auditBefore) query.set('before', String(admin.auditBefore));
  try {
    const page = await api.get(`/admin/audit?${query}`);
    admin.audit = more ? admin.audit.concat(page.items) : page.items;
    admin.auditBefore = page.next_before;
    announce('admin.audit');
  } catch (e) {
    reportError(e);
  }
}

/** Who a user id is, as far as the admin area knows. */
export function nameOf(id) {
  if (id === null || id === undefined) return 'system';
  const user = me();
  if (user && id === user.id) return user.username;
  return admin.names.get(id) || `user #${id}`;
}
