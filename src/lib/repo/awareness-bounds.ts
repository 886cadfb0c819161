// What a peer may make this device hold in its centre-wide awareness, checked before y-protocols
// applies an update: how many clients, how large a state. Presence now travels through the overlay
// (a peer forwards what its neighbours said), so one neighbour can speak for many clients: the
// bounds are on the whole awareness, not per sender. An update is read entry by entry (the
// y-protocols wire form: count, then client id, clock and JSON state per entry) and written back
// without the entries it may not carry.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Awareness } from 'y-protocols/awareness';

export interface PresenceLimits {
	/** Awareness clients held at most (a centre's agents online, a few tabs each). */
	maxClients: number;
	/** Largest state of one client, bytes of JSON (a presence is a name, a floor, an availability). */
	maxStateBytes: number;
}

export const defaultPresenceLimits: PresenceLimits = { maxClients: 2000, maxStateBytes: 2048 };

export interface AwarenessEntry {
	client: number;
	clock: number;
	/** JSON text of the state; 'null' for a removal. */
	state: string;
}

/** The entries of an awareness update; throws on a malformed one or past `maxEntries`. */
export function readAwarenessUpdate(update: Uint8Array, maxEntries: number): AwarenessEntry[] {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	if (count > maxEntries) throw new RangeError(`an awareness update of ${count} clients`);
	const out: AwarenessEntry[] = [];
	for (let i = 0; i < count; i++) {
		const client = decoding.readVarUint(decoder);
		const clock = decoding.readVarUint(decoder);
		const state = decoding.readVarString(decoder);
		out.push({ client, clock, state });
	}
	return out;
}

export function writeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const e of entries) {
		encoding.writeVarUint(encoder, e.client);
		encoding.writeVarUint(encoder, e.clock);
		encoding.writeVarString(encoder, e.state);
	}
	return encoding.toUint8Array(encoder);
}

/**
 * The part of `update` this device accepts, or a reason to refuse the whole of it. Dropped: another
 * state for this device's own client (only a removal of it passes, which y-protocols answers by
 * re-asserting the local state). Refused: a state over `maxStateBytes`, or new clients that would
 * take the awareness past `maxClients`.
 */
export function boundAwarenessUpdate(
	awareness: Awareness,
	update: Uint8Array,
	limits: PresenceLimits
): { entries: AwarenessEntry[] } | { refused: string } {
	let entries: AwarenessEntry[];
	try {
		entries = readAwarenessUpdate(update, limits.maxClients);
	} catch (err) {
		return { refused: `malformed awareness update (${err instanceof Error ? err.message : String(err)})` };
	}
	const states = awareness.getStates();
	let added = 0;
	const kept: AwarenessEntry[] = [];
	for (const e of entries) {
		if (e.state.length > limits.maxStateBytes)
			return { refused: `an awareness state of ${e.state.length} bytes` };
		if (e.client === awareness.clientID && e.state !== 'null') continue;
		if (e.state !== 'null' && !states.has(e.client)) added++;
		kept.push(e);
	}
	if (states.size + added > limits.maxClients)
		return { refused: `awareness past ${limits.maxClients} clients` };
	return { entries: kept };
}

/** Forgets the clocks of clients gone for a while, once there are more than `cap` of them (a clock
 *  is kept after a removal so that a late copy of the removed state is ignored). */
export function pruneAwarenessMeta(
	awareness: Awareness,
	cap: number,
	olderThanMs: number,
	now = Date.now()
): void {
	if (awareness.meta.size <= cap) return;
	for (const [client, meta] of awareness.meta)
		if (!awareness.states.has(client) && now - meta.lastUpdated > olderThanMs) awareness.meta.delete(client);
}
