// The admin area's payments (#admin/payments, #admin/payments?user_id=… from a user's page):
// newest first, filtered by user id, status and a period of days (from the start of `from` to
// the end of `to`, in the reader's time zone), More for older ones. The user page draws its
// payments with the same paymentCells.
import { $, el } from '../dom.js';
import * as adminData from '../admin.js';
import * as lists from '../admin-lists.js';
import * as store from '../state.js';
import { stamp } from './admin-audit.js';

const { payments } = lists;

/** Shows the list; `query` (of the hash) may name a user_id, which the filter takes. */
export function show(query) {
  const form = $('#admin-payment-filter');
  const userId = query && query.get('user_id');
  if (userId) form.elements.user_id.value = userId;
  lists.listPayments(readFilter());
}

export function mount() {
  store.on('admin.payments', render);
  const form = $('#admin-payment-filter');
  let typing = null;
  const search = () => {
    clearTimeout(typing);
    typing = setTimeout(() => lists.listPayments(readFilter()), 250);
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(typing); lists.listPayments(readFilter()); });
  form.addEventListener('input', search);
  form.addEventListener('change', search);
  $('#admin-payments-more').addEventListener('click', () => lists.listPayments(payments.filter, true));
}

/** The filter as the API takes it: a day's start (from) and the next day's start (to, exclusive) as instants. */
function readFilter() {
  const f = new FormData($('#admin-payment-filter'));
  const day = (v, next) => {
    if (!v) return '';
    const d = new Date(`${v}T00:00:00`);
    if (Number.isNaN(d.getTime())) return '';
    if (next) d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  const user = String(f.get('user_id') || '').trim();
  return { user_id: /^[1-9][0-9]*$/.test(user) ? user : '', status: f.get('status') || '',
    from: day(f.get('from'), false), to: day(f.get('to'), true) };
}

function render() {
  const body = $('#admin-payments');
  if (payments.items === null) {
    body.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'Loading…')));
    $('#admin-payments-more').hidden = true;
    return;
  }
  body.replaceChildren(...payments.items.map((p) => el('tr', { 'data-testid': 'admin-payment', dataset: { paymentId: p.id, status: p.status } },
    paymentCells(p, true))));
  if (!payments.items.length) body.append(el('tr', { class: 'empty', 'data-testid': 'admin-payments-empty' }, el('td', { colspan: 5 }, 'No payments')));
  $('#admin-payments-more').hidden = !payments.before;
}

/** An amount in cents as money ("$9.99"); as "999 cents usd" where the currency is unknown. */
export function money(cents, currency) {
  try {
    return new Intl.NumberFormat([], { style: 'currency', currency: (currency || 'usd').toUpperCase() }).format(cents / 100);
  } catch (e) {
    return `${cents} cents ${currency || ''}`.trim();
  }
}

/** A payment's cells: time, (user,) amount, status, Stripe's id of it. */
export function paymentCells(p, withUser) {
  return [
    el('td', {}, stamp(p.created_at)),
    withUser ? el('td', {}, el('a', { href: `#admin/users/${p.user_id}`, 'data-testid': 'admin-payment-user-link' },
      adminData.nameOf(p.user_id))) : null,
    el('td', { 'data-testid': 'admin-payment-amount' }, money(p.amount_cents, p.currency)),
    el('td', {}, el('span', { class: `payment-status ${p.status}`, 'data-testid': 'admin-payment-status' }, p.status)),
    el('td', { class: 'change' }, p.stripe_invoice_id || p.stripe_session_id || ''),
  ];
}
