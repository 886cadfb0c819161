// How a peer keeps a bounded number of links and still belongs to one connected overlay
// (docs/decisions.md › "Bounded links"): how many links it wants and accepts, how likely it is to
// answer a newcomer's announce, how many peers it thinks are online, and whom a joiner links to.
// Pure functions and one small bounded map: the mesh (webrtc.ts) calls them.
import type { PeerId } from '../repo/network';
import type { MeshProfile } from './mesh-signals';

export interface LinkBounds {
	/** Links a peer looks for; below it, it looks again (bounded rate, backoff). */
	target: number;
	/** Links a peer accepts at most (half-open ones included); past it, offers get "busy". */
	max: number;
}

/** Four links make a random overlay connected with high probability and its diameter about
 *  log₄(N) (3–4 hops for a few hundred agents). Each joiner makes up to `target` links, so degrees
 *  average up to twice the target: with `max` at twice the target the overlay saturates and a late
 *  joiner finds nobody with room (seen: 2 of 3 links in a 12-peer test under load). At three times
 *  the target at most two thirds of the capacity is used, so at least a third of the peers always
 *  have room; twelve RTCPeerConnections are still little for a browser. */
export const DEFAULT_LINKS: LinkBounds = { target: 4, max: 12 };

/** Replies a joiner should get, as a multiple of its target: enough to choose by floor and survive a
 *  few "busy", few enough that a join costs the centre a constant. */
export const REPLY_FACTOR = 2;

export function checkBounds(bounds: Partial<LinkBounds> | undefined): LinkBounds {
	const target = bounds?.target ?? DEFAULT_LINKS.target;
	const max = bounds?.max ?? Math.max(DEFAULT_LINKS.max, target);
	if (!Number.isInteger(target) || target < 1) throw new RangeError('links.target is an integer ≥ 1');
	if (!Number.isInteger(max) || max < target) throw new RangeError('links.max is an integer ≥ links.target');
	return { target, max };
}

/** Probability that a peer with room answers an announce, so that the expected number of answers is
 *  REPLY_FACTOR × target whatever the number of peers online (`others`: the peers that hear the
 *  announce, the joiner excluded). */
export function replyProbability(target: number, others: number): number {
	return Math.min(1, (REPLY_FACTOR * target) / Math.max(1, others));
}

/**
 * How many peers are online, from two sources: the relay's own count of the centre topic's
 * subscribers (the `clients` field of every relayed message, y-webrtc's protocol; exact for one
 * relay instance, this instance's share behind several) and the distinct peers heard from lately
 * (announces, replies, links). The larger wins. Memory is bounded: past `cap` ids the oldest go.
 */
export class OnlineEstimate {
	readonly #seen = new Map<PeerId, number>();
	#relayCount = 0;
	#relayAt = 0;

	constructor(
		readonly windowMs = 2 * 60_000,
		readonly cap = 4096
	) {}

	/** A peer was heard from. */
	saw(peer: PeerId, now = Date.now()): void {
		this.#seen.delete(peer);
		this.#seen.set(peer, now);
		if (this.#seen.size > this.cap) this.#seen.delete(this.#seen.keys().next().value as PeerId);
	}

	/** The relay said the centre topic has `clients` subscribers (this peer included). */
	relaySaid(clients: number, now = Date.now()): void {
		if (!Number.isFinite(clients) || clients < 1) return;
		this.#relayCount = Math.min(Math.floor(clients), 1_000_000);
		this.#relayAt = now;
	}

	/** Peers online other than this one. */
	others(now = Date.now()): number {
		for (const [peer, at] of this.#seen) {
			if (now - at <= this.windowMs) break;
			this.#seen.delete(peer);
		}
		const relay = now - this.#relayAt <= this.windowMs ? this.#relayCount - 1 : 0;
		return Math.max(this.#seen.size, relay);
	}
}

export interface Candidate {
	peer: PeerId;
	profile: MeshProfile;
}

/** Links, out of `target`, a peer keeps across floors: a quarter (at least one). Documents are shared
 *  by floor, so most traffic stays on the floor, but centre-wide content and presence need paths
 *  between floors, and random cross links are what keeps the overlay's diameter small. */
export function crossFloorShare(target: number): number {
	return Math.max(1, Math.floor(target / 4));
}

function shuffled<T>(items: T[], random: () => number): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/**
 * Whom to link to, best first, at most `want` of `candidates`: this agent's other devices (they
 * share its personal space), then one hub if none is linked yet, then the cross-floor share if it is
 * not met, then the same floor, then anyone. Random within each rank, so the overlay is a random
 * graph and not a chain of the earliest peers.
 */
export function chooseLinks(
	self: MeshProfile,
	linked: readonly MeshProfile[],
	candidates: readonly Candidate[],
	want: number,
	target: number,
	random: () => number = Math.random
): PeerId[] {
	const picked: PeerId[] = [];
	const left = new Map(shuffled([...candidates], random).map((c) => [c.peer, c]));
	const take = (match: (c: Candidate) => boolean, limit = Infinity) => {
		for (const c of [...left.values()]) {
			if (picked.length >= want || limit <= 0) return;
			if (!match(c)) continue;
			picked.push(c.peer);
			left.delete(c.peer);
			limit--;
		}
	};
	if (self.agentId) take((c) => c.profile.agentId === self.agentId);
	if (!linked.some((p) => p.hub)) take((c) => !!c.profile.hub, 1);
	const cross = (p: MeshProfile) => p.floor !== self.floor;
	const crossHave =
		linked.filter(cross).length +
		picked.filter((id) => cross(candidates.find((c) => c.peer === id)!.profile)).length;
	take((c) => cross(c.profile), crossFloorShare(target) - crossHave);
	take((c) => !cross(c.profile));
	take(() => true);
	return picked;
}
