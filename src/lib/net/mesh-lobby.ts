// Where a peer looking for links announces itself (docs/decisions.md › "Lobby shards: a join
// announced to a part of the centre"). Announcing on the centre topic makes the relay copy the
// announce to every peer of the centre: the only part of a bounded join that grows with the centre.
// So every peer also subscribes to one lobby topic per level, `<topic>/lobby/<level>/<shard>`, its
// shard at level ℓ being the low ℓ bits of a hash of its peer id: level ℓ splits the centre into 2^ℓ
// nested parts (a level-ℓ shard is half of a level ℓ−1 one). A joiner announces on its own shard at
// the deepest level first; the relay delivers the announce back to it (y-webrtc servers deliver a
// publish to every subscriber, the sender included) with the shard's subscriber count, and the
// joiner moves up to the level whose shards should hold enough peers, up to level 0, the centre topic
// itself. Small centres end on the centre topic after two or three relay round trips; large ones
// stop at a shard of a few peers whatever the centre's size. Topics are plain y-webrtc topics: the
// stock server relays them too. Hubs subscribe to `<topic>/hubs` instead (a joiner tells them
// directly, so every joiner can reach a hub whatever shard it announced on).
import type { PeerId } from '../repo/network';

/** Levels of lobby shards: 2^6 = 64 shards at the deepest, a handful of peers each in a centre of
 *  500 online. Every peer subscribes to one topic per level. */
export const LOBBY_LEVELS = 6;

/** The shard topic of level `level` (1 … LOBBY_LEVELS) with index `index` (< 2^level). */
export function lobbyTopic(topic: string, level: number, index: number): string {
	return `${topic}/lobby/${level}/${index}`;
}

/** The topic every hub of the centre subscribes to, and joiners announce on besides their shard. */
export function hubsTopic(topic: string): string {
	return `${topic}/hubs`;
}

/** A 32-bit FNV-1a hash of a peer id: the low ℓ bits name its shard at level ℓ. */
export function shardHash(peerId: PeerId): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < peerId.length; i++) {
		h ^= peerId.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** The index of `peerId`'s shard at `level`. */
export function shardIndex(peerId: PeerId, level: number): number {
	return shardHash(peerId) & ((1 << level) - 1);
}

/** The lobby topics `peerId` subscribes to, levels 1 … `levels`. */
export function ownLobbies(topic: string, peerId: PeerId, levels: number): Map<string, number> {
	const out = new Map<string, number>();
	for (let level = 1; level <= levels; level++)
		out.set(lobbyTopic(topic, level, shardIndex(peerId, level)), level);
	return out;
}

/** Levels an announce moves up at least after reaching nobody: an empty shard says little about
 *  the centre but that it is not large, and each step costs a relay round trip. */
const EMPTY_STEP = 3;

/**
 * The level to announce at next, after an announce at `level` reached `others` peers (the relay's
 * count less the joiner), when `wanted` are sought. The centre's size is about others × 2^level (a
 * shard that held nobody counts as one), so the level whose shards should hold `wanted` peers is
 * log2 of that over `wanted`; always above `level` (at least EMPTY_STEP above after an empty shard),
 * and 0 — the centre topic — at the top.
 */
export function nextLevel(level: number, others: number, wanted: number): number {
	const centre = Math.max(1, others) * 2 ** level;
	const fit = Math.floor(Math.log2(centre / Math.max(1, wanted)));
	const highest = others === 0 ? level - EMPTY_STEP : level - 1;
	return Math.max(0, Math.min(highest, fit));
}

/** The shard announced on in round `round` (1, 2, …) of looking again at `level`: another one
 *  than the joiner's own each time (its index xor the round), so peers not heard yet get it. */
export function siblingTopic(topic: string, peerId: PeerId, level: number, round: number): string {
	const own = shardIndex(peerId, level);
	return lobbyTopic(topic, level, (own ^ round) & ((1 << level) - 1));
}
