// One WebSocket carrying a sealed channel (sealed-channel.ts), as both ends of the hub socket use
// it: the browser's WebSocket (hub-socket.ts) and `ws` on the server (server/hub-socket-server.ts).
// Messages are cut into frames (chunking.ts, 64 KiB here: a WebSocket has no 256 KiB limit, and
// fewer frames cost fewer encryptions) and each frame is one sealed record. Flow control both ways:
// a sender keeps at most a window of frame bytes unacknowledged (the receiver acknowledges what it
// has decrypted and handed on), because a browser cannot stop reading its WebSocket and would
// otherwise hold whatever a fast sender pushed; and records go to the socket only while its
// bufferedAmount is low (polled: a browser WebSocket has no drain event). A keep-alive record
// answers a ping, so a dead connection is noticed without a TCP timeout.
import { FrameError, Reassembler, toFrames } from './chunking';
import { SealedChannel } from './sealed-channel';

/** What the sealed socket needs of a WebSocket: the browser's and `ws`'s both fit. */
export interface ByteSocket {
	readonly readyState: number;
	readonly bufferedAmount: number;
	binaryType: string;
	send(data: Uint8Array<ArrayBuffer>): void;
	close(code?: number, reason?: string): void;
	onopen: ((event: never) => void) | null;
	onmessage: ((event: never) => void) | null;
	onclose: ((event: never) => void) | null;
	onerror: ((event: never) => void) | null;
}

/** Close codes of the hub socket (a client can tell its agent what happened). */
export const HubSocketClose = {
	normal: 1000,
	goingAway: 1001,
	policy: 1008,
	tooLarge: 1009,
	/** No keep-alive answer (or nothing heard) in time. */
	idle: 4000,
	/** The sealed handshake failed or missed its deadline (wrong centre key, garbage). */
	handshake: 4001,
	/** The peer's sync layer disconnected it (broke the protocol, missed the hello deadline). */
	disconnected: 4003,
	/** The other side did not read fast enough. */
	slowConsumer: 4008,
	/** A live connection already holds this peer id. */
	duplicate: 4009
} as const;

/** Frame size on the hub socket, bytes (a chunking.ts frame, sealed as one record). */
export const SOCKET_FRAME_BYTES = 64 * 1024;
/** Frame bytes a sender may have unacknowledged; the receiver acknowledges every quarter of it. */
export const FLOW_WINDOW_BYTES = 2 * 1024 * 1024;
const FRAME = 0;
const PING = 1;
const PONG = 2;
const ACK = 3;
const OPEN = 1;

export interface SealedSocketOptions {
	key: CryptoKey;
	peerId: string;
	/** Largest message, bytes, either way (a bigger one received closes the connection; a bigger
	 *  one sent is dropped). */
	maxMessageBytes: number;
	/** Records are handed to the socket while its bufferedAmount is below this. */
	highWaterMark: number;
	/** Bytes queued for this peer (not yet in the socket) plus bufferedAmount beyond which the
	 *  peer is a slow consumer and the connection is closed. */
	maxQueuedBytes: number;
	/** Send a ping when nothing was heard for this long; undefined: never ping (the server). */
	pingIntervalMs?: number;
	/** Close when nothing at all was heard for this long. */
	silenceMs: number;
	/** Pauses / resumes reading from the socket (ws only: a browser cannot). */
	pause?: () => void;
	resume?: () => void;
	/** Closes the socket hard (ws terminate), for a slow consumer whose queue must be freed now. */
	terminate?: () => void;
	onOpen: (remotePeerId: string, binding: string) => void;
	onMessage: (message: Uint8Array) => void;
	/** Once, whatever closed it. `wasOpen`: the sealed channel had opened. */
	onClose: (code: number, reason: string, wasOpen: boolean) => void;
}

export class SealedSocket {
	readonly channel: SealedChannel;
	readonly #socket: ByteSocket;
	readonly #o: SealedSocketOptions;
	readonly #reassembler: Reassembler;
	#queue: Uint8Array[] = [];
	#queuedBytes = 0;
	#poll: ReturnType<typeof setTimeout> | undefined;
	#keepAlive: ReturnType<typeof setInterval> | undefined;
	#lastHeard = Date.now();
	#paused = false;
	/** Flow control: frame bytes sent and acknowledged by the peer; received and acknowledged. */
	#sent = 0;
	#acked = 0;
	#received = 0;
	#ackSent = 0;
	#closed = false;
	#opened = false;
	/** Bytes carried, both ways (records on the wire, overhead included). */
	bytesIn = 0;
	bytesOut = 0;

	constructor(socket: ByteSocket, options: SealedSocketOptions) {
		this.#socket = socket;
		this.#o = options;
		this.#reassembler = new Reassembler(options.maxMessageBytes);
		socket.binaryType = 'arraybuffer';
		this.channel = new SealedChannel({
			key: options.key,
			peerId: options.peerId,
			maxRecordBytes: SOCKET_FRAME_BYTES + 1,
			write: (frame) => this.#write(frame),
			// The peer never has more than a window unacknowledged (plus keep-alives and acks).
			maxBacklogBytes: FLOW_WINDOW_BYTES + 16 * SOCKET_FRAME_BYTES,
			onProgress: () => {
				if (this.#paused && this.channel.receiveBacklog < options.highWaterMark / 2) {
					this.#paused = false;
					options.resume?.();
				}
			}
		});
		this.channel.on('open', (remote, binding) => {
			this.#opened = true;
			options.onOpen(remote, binding);
		});
		this.channel.on('data', (body) => this.#onRecord(body));
		this.channel.on('close', (reason) => this.close(closeCodeOf(reason), reason));
		socket.onmessage = ((event: { data: unknown }) => this.#onFrame(event.data)) as never;
		socket.onclose = ((event: { code?: number; reason?: string }) =>
			this.#ended(event.code ?? 1006, event.reason || 'connection closed')) as never;
		socket.onerror = (() => {}) as never;
		if (socket.readyState === OPEN) this.#start();
		else socket.onopen = (() => this.#start()) as never;
	}

	get open(): boolean {
		return this.#opened && !this.#closed;
	}

	/** Bytes waiting for this peer: queued here plus the socket's own buffer. */
	get queuedBytes(): number {
		return this.#queuedBytes + this.#socket.bufferedAmount + this.channel.sendBacklog;
	}

	/** Sends one message; false if dropped (not open, over the size limit, or the peer is a slow
	 *  consumer, which closes the connection). */
	send(message: Uint8Array): boolean {
		if (!this.open) return false;
		if (message.length > this.#o.maxMessageBytes) return false;
		const frames = toFrames(message, SOCKET_FRAME_BYTES);
		if (this.queuedBytes + message.length > this.#o.maxQueuedBytes) {
			this.close(HubSocketClose.slowConsumer, 'slow consumer');
			// The close frame waits behind the unread bytes; their memory may not.
			this.#o.terminate?.();
			return false;
		}
		for (const f of frames) {
			this.#queue.push(f);
			this.#queuedBytes += f.length;
		}
		this.#pump();
		return true;
	}

	close(code: number, reason: string): void {
		if (this.#closed) return;
		try {
			this.#socket.close(code, reason.slice(0, 120));
		} catch {
			// already closing
		}
		this.#ended(code, reason);
	}

	#start(): void {
		if (this.#closed) return;
		this.#lastHeard = Date.now();
		const every = Math.min(this.#o.pingIntervalMs ?? this.#o.silenceMs, this.#o.silenceMs) / 2;
		this.#keepAlive = setInterval(() => this.#checkAlive(), Math.max(every, 50));
		void this.channel.start();
	}

	#checkAlive(): void {
		const quiet = Date.now() - this.#lastHeard;
		if (quiet > this.#o.silenceMs) return this.close(HubSocketClose.idle, 'nothing heard in time');
		if (this.#o.pingIntervalMs !== undefined && quiet >= this.#o.pingIntervalMs && this.open)
			this.channel.send(new Uint8Array([PING]));
	}

	#onFrame(data: unknown): void {
		if (this.#closed) return;
		if (!(data instanceof ArrayBuffer))
			return this.close(HubSocketClose.policy, 'text frame on the hub socket');
		const frame = new Uint8Array(data);
		this.bytesIn += frame.length;
		this.#lastHeard = Date.now();
		this.channel.receive(frame);
		if (!this.#paused && this.#o.pause && this.channel.receiveBacklog > this.#o.highWaterMark) {
			this.#paused = true;
			this.#o.pause();
		}
	}

	#onRecord(body: Uint8Array): void {
		const kind = body[0];
		if (kind === PING) return this.channel.send(new Uint8Array([PONG]));
		if (kind === PONG) return;
		if (kind === ACK) return this.#onAck(body);
		if (kind !== FRAME) return this.close(HubSocketClose.policy, `unknown record ${kind}`);
		this.#received += body.length - 1;
		if (this.#received - this.#ackSent >= FLOW_WINDOW_BYTES / 4) {
			this.#ackSent = this.#received;
			const ack = new Uint8Array(9);
			ack[0] = ACK;
			new DataView(ack.buffer).setFloat64(1, this.#received);
			this.channel.send(ack);
		}
		let message: Uint8Array | null;
		try {
			message = this.#reassembler.push(body.subarray(1));
		} catch (err) {
			const tooLarge = err instanceof FrameError && /exceeds|too large|longer/.test(err.message);
			return this.close(
				tooLarge ? HubSocketClose.tooLarge : HubSocketClose.policy,
				err instanceof Error ? err.message : String(err)
			);
		}
		if (message) this.#o.onMessage(message);
	}

	#onAck(body: Uint8Array): void {
		const acked = body.length === 9 ? new DataView(body.buffer, body.byteOffset + 1, 8).getFloat64(0) : NaN;
		// Acknowledging what was never sent, or going back, is a broken peer.
		if (!(acked >= this.#acked && acked <= this.#sent))
			return this.close(HubSocketClose.policy, 'bad acknowledgement');
		this.#acked = acked;
		this.#pump();
	}

	#write(frame: Uint8Array): void {
		if (this.#closed || this.#socket.readyState !== OPEN) return;
		this.bytesOut += frame.length;
		try {
			this.#socket.send(frame as Uint8Array<ArrayBuffer>);
		} catch (err) {
			this.close(HubSocketClose.goingAway, err instanceof Error ? err.message : 'send failed');
		}
	}

	#pump(): void {
		if (this.#closed) return;
		clearTimeout(this.#poll);
		this.#poll = undefined;
		while (
			this.#queue.length &&
			this.#sent - this.#acked < FLOW_WINDOW_BYTES &&
			this.#socket.bufferedAmount + this.channel.sendBacklog < this.#o.highWaterMark
		) {
			const f = this.#queue.shift()!;
			this.#queuedBytes -= f.length;
			this.#sent += f.length;
			const record = new Uint8Array(f.length + 1);
			record[0] = FRAME;
			record.set(f, 1);
			this.channel.send(record);
		}
		// Blocked on the socket: look again shortly (the browser's WebSocket has no event when its
		// buffer drains). Blocked on the window: the peer's acknowledgement pumps again.
		if (this.#queue.length && this.#sent - this.#acked < FLOW_WINDOW_BYTES)
			this.#poll = setTimeout(() => this.#pump(), 10);
	}

	#ended(code: number, reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		clearTimeout(this.#poll);
		clearInterval(this.#keepAlive);
		this.#queue = [];
		this.#queuedBytes = 0;
		this.channel.close(reason);
		this.#socket.onmessage = null;
		this.#socket.onclose = null;
		this.#socket.onopen = null;
		if (this.#paused) this.#o.resume?.();
		this.#o.onClose(code, reason, this.#opened);
	}
}

function closeCodeOf(reason: string): number {
	if (reason.startsWith('handshake')) return HubSocketClose.handshake;
	return HubSocketClose.policy;
}
