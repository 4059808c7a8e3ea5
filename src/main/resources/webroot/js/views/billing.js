// The billing view (#billing, in place of the open room): the plans as cards with ours marked,
// Upgrade for the bigger ones (Stripe Checkout; the customer portal while a subscription runs,
// so that it changes instead of a second one starting), Manage billing (the portal) for a
// subscriber, the period end, and what became of a checkout we came back from
// (#billing?checkout=success&session_id=…: followed until the payment is confirmed).
import { $, date, el } from '../dom.js';
import * as billingStore from '../billing-state.js';
import * as billingSession from '../billing-session.js';
import * as router from '../router.js';
import * as store from '../state.js';
import { showError } from './notices.js';

const { billing } = billingStore;

const CHECKOUT_TEXT = {
  waiting: ['waiting', 'Waiting for the payment to be confirmed…'],
  complete: ['ok', 'Payment received. Thank you!'],
  unconfirmed: ['warn', 'The payment is not confirmed yet. This can take a minute: come back to this page later.'],
  expired: ['bad', 'This checkout expired before it was paid. Nothing was charged.'],
  cancelled: ['warn', 'Checkout cancelled. Nothing was charged.'],
  unknown: ['bad', 'This checkout is not known.'],
};

/** Shows the view for the query of `#billing?…`, or hides it (query null: another view was asked for). */
export function show(query) {
  const view = $('#billing-view');
  document.body.classList.toggle('in-billing', query !== null);
  $('#room').hidden = query !== null;
  view.hidden = query === null;
  if (query === null) return;
  const checkout = query.get('checkout');
  if (checkout === 'success' && query.get('session_id')) {
    billingSession.followCheckout(query.get('session_id'));
  } else if (checkout === 'cancel') {
    billingSession.checkoutCancelled();
  } else if (billing.checkout && billing.checkout.state !== 'waiting') {
    billingStore.checkoutChanged(null); // told once; opened again later, the view starts afresh
  }
  if (!billing.plans) billingSession.loadPlans();
  billingSession.refreshAccount();
  render();
}

function render() {
  if ($('#billing-view').hidden) return;
  renderCheckout();
  const plan = billingStore.currentPlan();
  $('#subscription-note').textContent = subscriptionNote(billing.subscription, plan);
  $('#plans').replaceChildren(...(billing.plans || []).map((p) => card(p, plan)));
  if (billing.plans && !billing.plans.length) $('#plans').append(el('li', { class: 'empty' }, 'No plans are offered.'));
  $('#manage-billing').hidden = !billingStore.hasSubscription();
  $('#portal-hint').hidden = !billingStore.hasLiveSubscription();
}

function renderCheckout() {
  const status = $('#checkout-status');
  const checkout = billing.checkout && CHECKOUT_TEXT[billing.checkout.state];
  status.hidden = !checkout;
  if (!checkout) return;
  // told: a reload does not replay the return (while waiting, a reload follows the session again)
  if (billing.checkout.state !== 'waiting' && location.hash.startsWith('#billing?')) router.replace('#billing');
  status.className = `checkout-status ${checkout[0]}`;
  status.dataset.state = billing.checkout.state;
  status.textContent = checkout[1];
}

/** Which plan we are on, and when it renews or ends. */
function subscriptionNote(subscription, plan) {
  if (!plan) return '';
  if (!subscription || subscription.status === 'none') return `You are on the ${plan.name} plan.`;
  const end = date(subscription.current_period_end);
  const status = subscription.status;
  if (status === 'canceled') return `Your subscription is canceled. You are on the ${plan.name} plan.`;
  if (subscription.cancel_at_period_end) {
    return `You are on the ${plan.name} plan. It cancels at the period end${end ? `, on ${end}` : ''}; then you are on the free plan.`;
  }
  if (status === 'past_due' || status === 'unpaid' || status === 'incomplete') {
    return `You are on the ${plan.name} plan, but the last payment failed (${status.replace('_', ' ')}). Update your payment method under Manage billing.`;
  }
  return `You are on the ${plan.name} plan${end ? `; it renews on ${end}` : ''}.`;
}

function price(p) {
  if (!p.price_cents) return 'No charge';
  let amount;
  try {
    amount = new Intl.NumberFormat([], { style: 'currency', currency: (p.currency || 'usd').toUpperCase() }).format(p.price_cents / 100);
  } catch (e) {
    amount = `${(p.price_cents / 100).toFixed(2)} ${p.currency || ''}`.trim();
  }
  return `${amount} per ${p.interval_days || 30} days`;
}

function card(p, current) {
  const isCurrent = current && current.code === p.code;
  let action = null;
  if (isCurrent) {
    action = el('span', { class: 'badge', 'data-testid': 'current-plan' }, 'Current plan');
  } else if (billingStore.isHigher(p, current) && billingStore.hasLiveSubscription()) {
    // a running subscription changes plan in the portal: a second Checkout would charge twice
    action = el('button', { type: 'button', class: 'primary', 'data-testid': 'upgrade', dataset: { plan: p.code, via: 'portal' },
      title: 'Your subscription changes in the billing portal (prorated)', onclick: () => manage() }, 'Upgrade');
  } else if (billingStore.isHigher(p, current)) {
    action = el('button', { type: 'button', class: 'primary', 'data-testid': 'upgrade', dataset: { plan: p.code, via: 'checkout' },
      onclick: (e) => upgrade(e.target, p.code) }, 'Upgrade');
  }
  return el('li', { class: `plan${isCurrent ? ' current' : ''}`, dataset: { plan: p.code, testid: 'plan-card' } },
    el('h3', {}, p.name),
    el('p', { class: 'price' }, price(p)),
    el('p', { class: 'limit' }, p.daily_message_limit === null ? 'Unlimited messages' : `${p.daily_message_limit} messages a day`),
    action);
}

async function upgrade(button, planCode) {
  button.disabled = true;
  try {
    await billingSession.upgrade(planCode); // the page goes to Checkout
  } catch (e) {
    button.disabled = false;
    showError(e);
  }
}

async function manage() {
  const button = $('#manage-billing');
  button.disabled = true;
  try {
    await billingSession.openPortal();
  } catch (e) {
    button.disabled = false;
    showError(e);
  }
}

export function mount() {
  store.on('billing', render);
  $('#manage-billing').addEventListener('click', manage);
  // back from Stripe with the browser's Back button: the page may come from the cache, buttons disabled
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    $('#manage-billing').disabled = false;
    render();
  });
}
