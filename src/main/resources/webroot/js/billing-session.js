// The billing traffic of the signed-in session: loads the plans, our subscription and today's
// usage (again when the page gets the focus back, every few minutes while shown, after a refused
// send, and when the UTC day resets), sends the browser to Stripe Checkout or the customer
// portal, and follows the checkout session we came back from. Feeds billing-state.js.
import * as billingStore from './billing-state.js';
import { api } from './session.js';
import * as store from './state.js';

/** Least time between two re-reads of the usage on focus. */
const FOCUS_REFRESH_MS = 5000;
/** While the page is shown, the usage is read again this often (sends from other devices). */
const PERIODIC_REFRESH_MS = 5 * 60000;
/** How long a returned checkout session is followed before we say it is not confirmed yet. */
const CHECKOUT_WAIT_MS = 30000;

let started = false;
let usageReadAt = 0;
let resetTimer = null;

/** Loads plans, subscription and usage once per page, then keeps the usage current. */
export function start() {
  if (started) return;
  started = true;
  loadPlans();
  refreshAccount();
  store.on('billing.refused', () => refreshUsage());
  window.addEventListener('focus', () => {
    if (Date.now() - usageReadAt > FOCUS_REFRESH_MS) refreshUsage();
  });
  setInterval(() => {
    if (!document.hidden && Date.now() - usageReadAt > PERIODIC_REFRESH_MS / 2) refreshUsage();
  }, PERIODIC_REFRESH_MS);
}

export async function loadPlans() {
  try {
    billingStore.plansLoaded((await api.plans()).items);
  } catch (e) {
    // the plan line still shows the usage; the billing view says it has no plans
  }
}

/** Our subscription and today's usage, read again (after a payment, on opening the billing view). */
export async function refreshAccount() {
  await Promise.all([refreshSubscription(), refreshUsage()]);
}

export async function refreshSubscription() {
  try {
    billingStore.subscriptionLoaded(await api.subscription());
  } catch (e) {
    // not shown: billing is secondary to chatting (the line keeps what it knew)
  }
}

export async function refreshUsage() {
  usageReadAt = Date.now();
  try {
    const usage = await api.usage();
    billingStore.usageLoaded(usage);
    scheduleReset(usage.resets_at);
  } catch (e) {
    // not shown: the line keeps the last known count
  }
}

/** Reads the usage again just after the day's counter resets (the next UTC midnight). */
function scheduleReset(resetsAt) {
  clearTimeout(resetTimer);
  const inMs = resetsAt ? new Date(resetsAt).getTime() - Date.now() : NaN;
  if (!(inMs > 0) || inMs > 86400000) return;
  resetTimer = setTimeout(() => refreshUsage(), inMs + 1000 + Math.random() * 4000);
}

/** Opens Stripe Checkout for a plan (rejects when the server refuses). */
export async function upgrade(planCode) {
  const session = await api.checkout(planCode);
  location.href = session.checkout_url;
}

/** Opens Stripe's customer portal (rejects when the server refuses). */
export async function openPortal() {
  const portal = await api.portal();
  location.href = portal.portal_url;
}

export function checkoutCancelled() {
  billingStore.checkoutChanged({ state: 'cancelled', planCode: null });
}

let followed = null; // the session being followed now
/**
 * Follows a checkout session we came back from until the webhook completed it (then the plan and
 * usage are read again), it expired, or CHECKOUT_WAIT_MS passed; polls with a growing interval.
 */
export async function followCheckout(sessionId) {
  if (followed === sessionId) return;
  followed = sessionId;
  try {
    await follow(sessionId);
  } finally {
    if (followed === sessionId) followed = null; // followed again if we come back with it once more
  }
}

async function follow(sessionId) {
  billingStore.checkoutChanged({ state: 'waiting', planCode: null });
  const until = Date.now() + CHECKOUT_WAIT_MS;
  let delay = 500;
  for (;;) {
    let session = null;
    try {
      session = await api.checkoutSession(sessionId);
    } catch (e) {
      if (e.status === 404 || e.status === 403) {
        billingStore.checkoutChanged({ state: 'unknown', planCode: null });
        return;
      }
    }
    if (followed !== sessionId) return; // another checkout took over
    if (session && session.status === 'complete') {
      await planChangedTo(session.plan_code);
      billingStore.checkoutChanged({ state: 'complete', planCode: session.plan_code });
      return;
    }
    if (session && session.status === 'expired') {
      billingStore.checkoutChanged({ state: 'expired', planCode: session.plan_code });
      return;
    }
    if (session) billingStore.checkoutChanged({ state: 'waiting', planCode: session.plan_code });
    if (Date.now() + delay > until) {
      billingStore.checkoutChanged({ state: 'unconfirmed', planCode: session ? session.plan_code : null });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 4000);
  }
}

/** Reads subscription and usage until they show the paid plan (a few tries: both come from the webhook). */
async function planChangedTo(planCode) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await refreshAccount();
    const plan = billingStore.currentPlan();
    if (!planCode || (plan && plan.code === planCode)) return;
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}
