// The admin area's plans (openapi.yaml adminListPlans, adminUpdatePlan, adminCreatePlan): every
// plan, sold or not, edited field by field (PATCH /admin/plans/{code}: only the fields that
// changed, so two admins editing different fields of one plan do not undo each other), and new
// plans (POST /admin/plans). No DOM: views/admin-plans.js draws; the user page's plan grant
// picks from the same list.
//
// Topics (announced through state.js's listeners):
//   'admin.plans'  the plans, or one of them, changed, or a save began or ended
import { api } from './session.js';
import { announce, reportError } from './state.js';

export const plans = {
  items: null,        // as listed, by id; null until loaded
  saving: new Set(),  // codes of the plans being saved ('' for the new plan)
};

/** Loads every plan. */
export async function loadPlans() {
  try {
    const page = await api.get('/admin/plans');
    plans.items = page.items;
    announce('admin.plans');
  } catch (e) {
    reportError(e);
  }
}

/** The plans a grant may name: those on sale (the server refuses the others). */
export function grantable() {
  return (plans.items || []).filter((p) => p.active);
}

export function planOf(code) {
  return (plans.items || []).find((p) => p.code === code) || null;
}

/** The fields of `edited` that differ from the plan as loaded (null limits are unlimited). */
export function changes(code, edited) {
  const plan = planOf(code);
  const out = {};
  for (const [k, v] of Object.entries(edited)) if (!plan || plan[k] !== v) out[k] = v;
  return out;
}

/** Saves the changed fields of one plan; answers whether it was saved. */
export async function updatePlan(code, change) {
  plans.saving.add(code);
  announce('admin.plans');
  try {
    const plan = await api.patch(`/admin/plans/${encodeURIComponent(code)}`, change);
    plans.items = (plans.items || []).map((p) => (p.code === code ? plan : p));
    return true;
  } catch (e) {
    reportError(e);
    return false;
  } finally {
    plans.saving.delete(code);
    announce('admin.plans');
  }
}

/** Creates a plan ({code, name, price_cents, currency, interval_days, limits, stripe_price_id, active}); answers whether it was. */
export async function createPlan(body) {
  plans.saving.add('');
  announce('admin.plans');
  try {
    const plan = await api.post('/admin/plans', body);
    plans.items = [...(plans.items || []).filter((p) => p.code !== plan.code), plan].sort((a, b) => a.id - b.id);
    return true;
  } catch (e) {
    reportError(e);
    return false;
  } finally {
    plans.saving.delete('');
    announce('admin.plans');
  }
}
