// Room management, the store's part. What a room's stored events change beyond state.js: the
// owner (room.updated's owner_id: our role, and the roles in the member list; an owner who
// leaves hands the room over that way), and the member list (member.joined, member.left). And
// the actions of the owner and of moderators: rename, describe, make private or public, delete,
// remove a member, leave (an owner names the member who takes the room over, or deletes it).
// No DOM: views/room-settings.js, views/room-leave.js and views/members.js draw it.
//
// Topics (announced through state.js's listeners):
//   'room.changed'  a room's name, description, privacy, owner or size changed (room id)
//   'members'       a room's member list changed (room id)
import { canModerate } from './moderation.js';
import { api } from './session.js';
import { announce, dropRoom, isMine, on, state } from './state.js';

/** Whether we own this room: its settings, deleting it, adding and removing members. */
export function owns(room) {
  return Boolean(room && room.kind === 'group' && room.role === 'owner');
}

/** Whether we may remove this member: the owner may (not themselves), and moderators and admins (never the owner). */
export function canRemove(room, member) {
  if (!room || room.kind !== 'group' || member.role === 'owner' || isMine(member.user_id)) return false;
  return owns(room) || canModerate();
}

/** A person's first and last name ("Ada Lovelace"), or '' when they gave neither. */
export function fullName(person) {
  return [person.first_name, person.last_name].filter((n) => n && n.trim()).join(' ');
}

/** The members who could take the room over from us (not ourselves, not the assistant). */
export function heirs(roomId) {
  return (state.members.get(roomId) || []).filter((m) => !isMine(m.user_id) && !m.is_bot);
}

// ---- actions: each rejects with the ApiError when refused ----------------------------------

/** Changes the name, description or privacy ({name?, description?, is_private?}): the owner only. */
export async function updateRoom(roomId, fields) {
  settingsChanged(await api.patch(`/rooms/${roomId}`, fields));
}

/** Deletes the room with its messages: its owner, or a moderator. */
export async function deleteRoom(roomId) {
  await api.del(`/rooms/${roomId}`);
  dropRoom(roomId);
}

export async function removeMember(roomId, userId) {
  await api.del(`/rooms/${roomId}/members/${userId}`);
  memberGone(roomId, userId);
}

/** Leaves the room; its owner hands it to the member newOwnerId (the server refuses an owner without one). */
export async function leaveRoom(roomId, newOwnerId = null) {
  await api.post(`/rooms/${roomId}/leave`, newOwnerId ? { new_owner_id: newOwnerId } : {});
  dropRoom(roomId);
}

// ---- what the events change ----------------------------------------------------------------

/** The room as the server has it now (a PATCH reply, or room.updated's room): settings and owner. */
function settingsChanged(next) {
  const room = state.rooms.get(next.id);
  if (!room) return;
  const handedOver = room.owner_id !== next.owner_id;
  Object.assign(room, { name: next.name, description: next.description, is_private: next.is_private, owner_id: next.owner_id });
  if (handedOver) {
    room.role = isMine(next.owner_id) ? 'owner' : 'member';
    const members = state.members.get(room.id);
    if (members) {
      for (const m of members) m.role = m.user_id === next.owner_id ? 'owner' : 'member';
      announce('members', room.id);
    }
  }
  announce('room.changed', room.id);
  announce('rooms');
}

function memberJoined(roomId, member) {
  const members = state.members.get(roomId);
  if (members && !members.some((m) => m.user_id === member.user_id)) {
    members.push(member);
    members.sort((a, b) => a.user_id - b.user_id);
    announce('members', roomId);
  }
  announce('room.changed', roomId); // its size
}

function memberGone(roomId, userId) {
  const members = state.members.get(roomId);
  if (members && members.some((m) => m.user_id === userId)) {
    state.members.set(roomId, members.filter((m) => m.user_id !== userId));
    announce('members', roomId);
  }
  announce('room.changed', roomId);
}

on('room.event', (frame) => {
  if (frame.type === 'room.updated') settingsChanged(frame.room);
  else if (frame.type === 'member.joined') memberJoined(frame.room_id, frame.member);
  else if (frame.type === 'member.left') memberGone(frame.room_id, frame.user_id);
});
