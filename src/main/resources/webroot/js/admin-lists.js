// The admin area's two read-only lists: group rooms with their member and message counts
// (GET /admin/rooms, by id, paged by cursor) and payments, newest first, filtered by user, status
// and period (GET /admin/payments, paged by `before`). More appends the next page, as the API
// pages. No DOM: views/admin-rooms.js and views/admin-payments.js draw.
//
// Topics (announced through state.js's listeners):
//   'admin.rooms'     the rooms shown changed
//   'admin.payments'  the payments shown changed (null items: a new query is under way)
import { api } from './session.js';
import { announce, reportError } from './state.js';

const PAGE = 50;

export const rooms = {
  items: null,    // as listed, by id; null until loaded
  cursor: null,   // next_cursor of the last page: more to list
};

export const payments = {
  filter: { user_id: '', status: '', from: '', to: '' }, // from, to: ISO date-times ('' : open)
  items: null,    // newest first; null until loaded
  before: null,   // next_before of the last page: older payments to load
};

let listingRooms = 0;
let listingPayments = 0; // the latest query's number: only its answer fills the list

/** The first page of rooms, or (more) the next one. */
export async function listRooms(more = false) {
  const mine = ++listingRooms;
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (more && rooms.cursor) query.set('cursor', rooms.cursor);
  try {
    const page = await api.get(`/admin/rooms?${query}`);
    if (mine !== listingRooms) return;
    rooms.items = more ? (rooms.items || []).concat(page.items) : page.items;
    rooms.cursor = page.next_cursor;
    announce('admin.rooms');
  } catch (e) {
    reportError(e);
  }
}

/** The newest payments matching `filter` ({user_id, status, from, to}), or (more) the page after the oldest shown. */
export async function listPayments(filter = payments.filter, more = false) {
  const mine = ++listingPayments;
  payments.filter = filter;
  const query = new URLSearchParams({ limit: String(PAGE) });
  for (const k of ['user_id', 'status', 'from', 'to']) if (filter[k]) query.set(k, filter[k]);
  if (more && payments.before) query.set('before', String(payments.before));
  if (!more) {
    payments.items = null; // what the old filter found is not shown under the new one
    announce('admin.payments');
  }
  try {
    const page = await api.get(`/admin/payments?${query}`);
    if (mine !== listingPayments) return;
    payments.items = more ? (payments.items || []).concat(page.items) : page.items;
    payments.before = page.next_before;
    announce('admin.payments');
  } catch (e) {
    reportError(e);
  }
}
