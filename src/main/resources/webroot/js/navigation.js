// The room part of an address (router.js), shown: #/rooms/{id} opens that room, with
// /messages/{seq} at that message (search.js loads the history back to it), and the bare address
// closes the open room. A view in place of the room (#profile, #billing, #admin) leaves it open
// under the view. The page's first address, when it names no room (a reload of one, or the
// verification link's landing), reopens the tab's last room. No DOM.
import * as router from './router.js';
import * as search from './search.js';
import * as session from './session.js';
import * as store from './state.js';

const { state } = store;

let landed = false; // whether the page's first address was shown

/** Opens, reopens or closes the room that `where` (router.parse) names. */
export function showRoom(where) {
  const first = !landed;
  landed = true;
  if (where.view !== 'app' || where.billing || where.profile || where.admin) return undefined;
  let target = where.room;
  const last = router.lastRoom();
  if (!target && first && state.rooms.has(last)) {
    target = { id: last, seq: null };
    router.replace(router.roomHash(last));
  }
  if (!target) return state.current === null ? undefined : session.closeRoom();
  if (!state.rooms.has(target.id)) {
    store.reportError({ message: 'That room is not in your list: you left it, it was deleted, or you are not a member of it.' });
    router.replace(router.chatHash());
    return undefined;
  }
  if (target.seq !== null) return search.openAt(target.id, target.seq);
  if (state.current !== target.id) return session.openRoom(target.id);
  return undefined;
}
