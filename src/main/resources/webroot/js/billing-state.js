// The store's billing part: the plans, our subscription and today's usage, the checkout we came
// back from, and the last send refused over the daily limit. No DOM and no network: billing.js
// feeds it, the views draw from `billing`.
//
// Topics (announced through state.js's listeners):
//   'billing'          plans, subscription, usage, checkout or refusal changed
//   'billing.refused'  a send was refused over the daily limit (the error), usage is to be re-read

import { announce } from './state.js';

export const billing = {
  plans: null,        // GET /plans items, cheapest first
  subscription: null, // GET /billing/subscription: {plan, status, current_period_end, cancel_at_period_end}
  usage: null,        // GET /billing/usage, counted on locally after each of our own stored sends
  checkout: null,     // {state: waiting|complete|unconfirmed|expired|cancelled, planCode}
  refusal: null,      // {message, limit, resetsAt} of the last send refused over the limit
};

export function plansLoaded(items) {
  billing.plans = [...items].sort((a, b) => a.price_cents - b.price_cents || a.id - b.id);
  announce('billing');
}

export function subscriptionLoaded(subscription) {
  billing.subscription = subscription;
  announce('billing');
}

/** Today's usage as the server counts it; a refusal is over once sends are possible again. */
export function usageLoaded(usage) {
  billing.usage = usage;
  if (billing.refusal && (usage.remaining === null || usage.remaining > 0)) billing.refusal = null;
  announce('billing');
}

/** Our own send was stored (not a retry answered with the original): one more today. */
export function ownSendStored() {
  const usage = billing.usage;
  if (!usage) return;
  usage.messages_sent += 1;
  if (usage.remaining !== null && usage.remaining !== undefined) usage.remaining = Math.max(0, usage.remaining - 1);
  announce('billing');
}

/** MESSAGE_LIMIT_EXCEEDED, as a WebSocket error frame {message, details} or an ApiError (problem). */
export function sendRefused(error) {
  const details = error.details || (error.problem && error.problem.details) || {};
  billing.refusal = {
    message: error.message || 'Message limit reached.',
    limit: details.limit ?? null,
    resetsAt: details.resets_at || (billing.usage && billing.usage.resets_at) || null,
  };
  const usage = billing.usage;
  if (usage && usage.remaining !== null) {
    usage.remaining = 0;
    if (typeof details.limit === 'number') usage.messages_sent = Math.max(usage.messages_sent, details.limit);
  }
  announce('billing');
  announce('billing.refused', error);
}

export function refusalDismissed() {
  billing.refusal = null;
  announce('billing');
}

export function checkoutChanged(checkout) {
  billing.checkout = checkout;
  announce('billing');
}

// ---- reading -------------------------------------------------------------------------------

/** The plan we are on: the subscription's, else the plan with today's limit (not loaded yet), or null. */
export function currentPlan() {
  if (billing.subscription) return billing.subscription.plan;
  if (!billing.plans || !billing.usage) return null;
  return billing.plans.find((p) => p.daily_message_limit === billing.usage.daily_message_limit) || null;
}

/** Whether we have a Stripe subscription (any status, even canceled), so a portal to manage it. */
export function hasSubscription() {
  return !!billing.subscription && billing.subscription.status !== 'none';
}

/**
 * Whether a Stripe subscription is running (not canceled): a change of plan then goes through the
 * customer portal, where Stripe swaps the subscription's price (prorated); a second Checkout would
 * start a second subscription and charge both.
 */
export function hasLiveSubscription() {
  const status = billing.subscription && billing.subscription.status;
  return !!status && !['none', 'canceled', 'incomplete_expired'].includes(status);
}

/** Whether a plan with more messages than ours exists. */
export function canUpgrade() {
  const plan = currentPlan();
  if (plan && plan.daily_message_limit === null) return false;
  return !billing.plans || billing.plans.some((p) => isHigher(p, plan));
}

/** Whether `plan` is above `than` (more messages a day; unlimited above all). */
export function isHigher(plan, than) {
  if (!than) return plan.price_cents > 0;
  const rank = (p) => (p.daily_message_limit === null ? Infinity : p.daily_message_limit);
  return rank(plan) > rank(than) || (rank(plan) === rank(than) && plan.price_cents > than.price_cents);
}
