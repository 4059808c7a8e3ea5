// One person's page in the admin area (#admin/users/{id}): GET /admin/users/{id} (openapi.yaml
// adminGetUser: the user with the plan in force, their rooms, today's usage, their last payments)
// and the audit log's rows about them (GET /admin/audit?target_type=user&target_id=…). Changes go
// through PATCH /admin/users/{id}: status, role, e-mail verified, or a manual plan grant
// {plan_code, plan_until}; the page is read again after each, as the server now has it. No DOM:
// views/admin-user.js draws.
//
// Topics (announced through state.js's listeners):
//   'admin.user'  the page's person, or what is known of them, changed, or a change began or ended
import { admin } from './admin.js';
import { api } from './session.js';
import { announce, reportError } from './state.js';

export const page = {
  id: null,       // whose page is open
  data: null,     // the adminGetUser answer, null while it loads
  trail: [],      // audit rows about them, newest first
  missing: false, // no such person (404)
  busy: false,    // a change is under way
};

let asked = 0; // the latest load: only its answer fills the page

/** Opens (or reloads) the page of user `id`. */
export async function openUser(id) {
  const mine = ++asked;
  if (page.id !== id) Object.assign(page, { id, data: null, trail: [], missing: false });
  announce('admin.user');
  const trailQuery = new URLSearchParams({ target_type: 'user', target_id: String(id), limit: '20' });
  try {
    const [data, trail] = await Promise.all([api.get(`/admin/users/${id}`), api.get(`/admin/audit?${trailQuery}`)]);
    if (mine !== asked) return;
    page.data = data;
    page.trail = trail.items;
    admin.names.set(data.user.id, data.user.username);
  } catch (e) {
    if (mine !== asked) return;
    if (e.status === 404) page.missing = true;
    else reportError(e);
  }
  announce('admin.user');
}

/**
 * Changes the open person: {status}, {role}, {email_verified} or a grant {plan_code, plan_until}
 * (an ISO date-time in the future). Answers whether the server took it.
 */
export async function changeUser(change) {
  const id = page.id;
  page.busy = true;
  announce('admin.user');
  let ok = false;
  try {
    await api.patch(`/admin/users/${id}`, change);
    ok = true;
  } catch (e) {
    reportError(e);
  } finally {
    page.busy = false;
  }
  if (page.id === id) await openUser(id);
  return ok;
}

/** When the plan in force ends (a manual grant's end or the paid period's, adminGetUser's plan_until), or null. */
export function planUntil() {
  return page.data ? page.data.user.plan_until : null;
}
