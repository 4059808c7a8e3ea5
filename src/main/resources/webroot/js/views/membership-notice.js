// The notice that someone added us to a room (membership.added): the room is in the list by
// then (session.js); this only says who added us, and where.
import * as store from '../state.js';
import { showNotice } from './notices.js';

function added({ room, by }) {
  const who = by && by.username ? by.username : 'Someone';
  showNotice(`${who} added you to ${store.roomTitle(room)}`);
}

export function mount() {
  store.on('room.added', added);
}
