// The bus between the hub instances of one centre (issue 13: scale-out). Each instance holds its own
// browsers' connections; what one instance receives for a document (a Yjs update, an awareness
// message) it publishes here, and every other instance with that document open gets it and passes it
// on to its own peers. Messages are opaque bytes: the bus never reads them. Node only.
//
// The bus is the fast path, not the record: an instance stores an update (PostgreSQL) before it
// publishes it, so a message the bus lost is never an edit lost. When the bus may have lost messages
// (its connection dropped, the Redis server restarted) it says so with `resync` once its
// subscriptions are live again; the hub then brings its open documents up to date from storage and
// re-announces its awareness.
import type { Dispose } from '../domain/emitter';

/** What a message carries: a Yjs update or a y-protocols awareness message. */
export type HubMessageKind = 'update' | 'awareness';

export interface HubMessage {
	/** The document (or any topic name) it was published on. */
	docId: string;
	kind: HubMessageKind;
	data: Uint8Array;
	/** The publishing instance's id. */
	from: string;
}

/** A subscription's unsubscribe function, with a promise that resolves once messages published from
 *  then on reach the listener (Redis drops messages for a channel nobody has subscribed to yet). */
export type HubSubscription = Dispose & { readonly ready: Promise<void> };

export interface HubBus {
	/** This instance's id, unique among the instances of the centre. */
	readonly instanceId: string;
	/** Sends a message to every other instance subscribed to `docId` (never back to this one), in
	 *  publishing order. Resolves once the bus has taken it. */
	publish(docId: string, kind: HubMessageKind, data: Uint8Array): Promise<void>;
	/** Calls `listener` with every message other instances publish on `docId`. */
	subscribe(docId: string, listener: (message: HubMessage) => void): HubSubscription;
	/** Called once the bus is connected again after messages may have been lost, with every
	 *  subscription live again. */
	onResync(listener: () => void): Dispose;
	/** Connection problems (the bus keeps reconnecting on its own). */
	onError(listener: (error: Error) => void): Dispose;
	/** Leaves the bus: no more messages; publish rejects afterwards. */
	destroy(): Promise<void>;
}

/** The wire form shared by the implementations: kind (1 byte), the sender id's length (1 byte) and
 *  UTF-8 bytes, then the payload. */
export function encodeHubMessage(kind: HubMessageKind, from: string, data: Uint8Array): Uint8Array {
	const id = new TextEncoder().encode(from);
	if (id.length > 255) throw new Error('A hub instance id is at most 255 bytes.');
	const out = new Uint8Array(2 + id.length + data.byteLength);
	out[0] = kind === 'update' ? 0 : 1;
	out[1] = id.length;
	out.set(id, 2);
	out.set(data, 2 + id.length);
	return out;
}

/** The message a wire form holds, or undefined if it is not one (a foreign publisher). */
export function decodeHubMessage(docId: string, bytes: Uint8Array): HubMessage | undefined {
	if (bytes.length < 2 || bytes[0]! > 1 || bytes.length < 2 + bytes[1]!) return undefined;
	const end = 2 + bytes[1]!;
	return {
		docId,
		kind: bytes[0] === 0 ? 'update' : 'awareness',
		from: new TextDecoder().decode(bytes.subarray(2, end)),
		data: bytes.slice(end)
	};
}
