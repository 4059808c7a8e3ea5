// The admin area's plans (#admin/plans): one card per plan, sold or not, whose name, price, daily
// limits (empty: unlimited), Stripe price id and "on sale" are edited in place and saved with
// Save (only what changed is sent); then the New plan form. A card is rebuilt only when its plan
// changed on the server, so what is typed into one card survives another card's save.
import { $, el } from '../dom.js';
import * as plansData from '../admin-plans.js';
import * as store from '../state.js';
import { money } from './admin-payments.js';
import { showNotice } from './notices.js';

const { plans } = plansData;
const cards = new Map(); // code -> {shown: the plan as the card shows it (JSON), node}

export function show() {
  plansData.loadPlans();
}

export function mount() {
  store.on('admin.plans', render);
  $('#admin-new-plan').addEventListener('submit', createPlan);
}

function render() {
  const list = $('#admin-plans');
  if (!plans.items) {
    list.replaceChildren(el('li', { class: 'empty' }, 'Loading…'));
    return;
  }
  const nodes = plans.items.map((p) => {
    const shown = JSON.stringify(p);
    let card = cards.get(p.code);
    if (!card || card.shown !== shown) {
      card = { shown, node: planCard(p) };
      cards.set(p.code, card);
    }
    card.node.querySelector('[data-testid=plan-save]').disabled = plans.saving.has(p.code);
    return card.node;
  });
  list.replaceChildren(...nodes);
  $('#new-plan-create').disabled = plans.saving.has('');
}

const intOrNull = (v) => (String(v).trim() === '' ? null : Number(v));

function planCard(p) {
  const field = (label, input) => el('label', {}, label, ' ', input);
  const limit = (name, value, testid) => el('input', { name, type: 'number', min: 0, max: 1000000000, placeholder: 'unlimited',
    value: value === null ? '' : value, 'data-testid': testid });
  const form = el('form', { class: `admin-plan${p.active ? '' : ' off'}`, 'data-testid': 'admin-plan', dataset: { code: p.code },
    onsubmit: (e) => { e.preventDefault(); save(p.code, e.target); } },
  el('h4', {}, p.name, ' ', el('small', {}, `${p.code} · ${money(p.price_cents, p.currency)} per ${p.interval_days} days`),
    ' ', el('span', { class: `plan-state${p.active ? '' : ' off'}`, 'data-testid': 'plan-state' }, p.active ? 'on sale' : 'off sale')),
  field('Name', el('input', { name: 'name', required: true, maxlength: 100, value: p.name, 'data-testid': 'plan-name' })),
  field('Price (cents)', el('input', { name: 'price_cents', type: 'number', min: 0, max: 100000000, required: true,
    value: p.price_cents, 'data-testid': 'plan-price' })),
  field('Messages a day', limit('daily_message_limit', p.daily_message_limit, 'plan-messages')),
  field('Assistant replies a day', limit('daily_assistant_limit', p.daily_assistant_limit, 'plan-assistant')),
  field('Stripe price id', el('input', { name: 'stripe_price_id', maxlength: 255, placeholder: 'none',
    value: p.stripe_price_id || '', 'data-testid': 'plan-stripe' })),
  el('label', { class: 'inline' }, el('input', { name: 'active', type: 'checkbox', checked: p.active, 'data-testid': 'plan-active' }), ' On sale'),
  el('button', { type: 'submit', 'data-testid': 'plan-save' }, 'Save'));
  return el('li', {}, form);
}

async function save(code, form) {
  const f = form.elements;
  const edited = {
    name: f.name.value.trim(),
    price_cents: Number(f.price_cents.value),
    daily_message_limit: intOrNull(f.daily_message_limit.value),
    daily_assistant_limit: intOrNull(f.daily_assistant_limit.value),
    stripe_price_id: f.stripe_price_id.value.trim() || null,
    active: f.active.checked,
  };
  const change = plansData.changes(code, edited);
  if (!Object.keys(change).length) {
    showNotice('Nothing to save: the plan is as shown.');
    return;
  }
  if (await plansData.updatePlan(code, change)) showNotice(`Plan ${code} saved.`);
}

async function createPlan(e) {
  e.preventDefault();
  const form = e.target;
  const f = form.elements;
  const body = {
    code: f.code.value.trim(),
    name: f.name.value.trim(),
    price_cents: Number(f.price_cents.value),
    currency: f.currency.value.trim().toLowerCase(),
    interval_days: Number(f.interval_days.value),
    daily_message_limit: intOrNull(f.daily_message_limit.value),
    daily_assistant_limit: intOrNull(f.daily_assistant_limit.value),
    stripe_price_id: f.stripe_price_id.value.trim() || null,
    active: f.active.checked,
  };
  if (await plansData.createPlan(body)) {
    form.reset();
    showNotice(`Plan ${body.code} created.`);
  }
}
