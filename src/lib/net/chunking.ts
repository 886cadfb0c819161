// Messages over a data channel are cut into frames of at most 16 KiB (Chromium refuses sends over
// 256 KiB, and small frames keep one large document from blocking live updates for long). The
// channel is ordered and reliable and each peer's frames go out one message at a time, so a
// message's frames arrive contiguous: a one-byte tag per frame is all the framing needed.
export const FRAME_BYTES = 16 * 1024;
const WHOLE = 0;
const FIRST = 1;
const MIDDLE = 2;
const LAST = 3;

/** Cuts a message into frames. The first frame of a multi-frame message carries the total length. */
export function toFrames(message: Uint8Array, frameBytes = FRAME_BYTES): Uint8Array[] {
	const room = frameBytes - 1;
	if (message.length <= room) {
		const f = new Uint8Array(message.length + 1);
		f[0] = WHOLE;
		f.set(message, 1);
		return [f];
	}
	const frames: Uint8Array[] = [];
	const first = new Uint8Array(frameBytes);
	first[0] = FIRST;
	new DataView(first.buffer).setUint32(1, message.length);
	first.set(message.subarray(0, room - 4), 5);
	frames.push(first);
	for (let at = room - 4; at < message.length; at += room) {
		const part = message.subarray(at, at + room);
		const f = new Uint8Array(part.length + 1);
		f[0] = at + room >= message.length ? LAST : MIDDLE;
		f.set(part, 1);
		frames.push(f);
	}
	return frames;
}

export class FrameError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FrameError';
	}
}

/** Reassembles frames into messages; throws FrameError on a frame out of place or a message over
 *  `maxBytes` (the connection should then be closed: its framing can no longer be trusted).
 *
 *  Memory follows the bytes actually received, never the length a first frame announces: the parts
 *  are kept as they arrive and joined once the last one is in, so a 5-byte frame announcing 64 MiB
 *  costs 5 bytes. `maxBytes` is also the cap on what one peer can have in reassembly at a time (its
 *  channel is ordered, so one message at a time). */
export class Reassembler {
	#parts: Uint8Array[] = [];
	/** Announced length of the message being reassembled; -1 when none is. */
	#total = -1;
	#filled = 0;

	constructor(readonly maxBytes: number) {}

	/** Bytes held for the message being reassembled. */
	get buffered(): number {
		return this.#filled;
	}

	push(frame: Uint8Array): Uint8Array | null {
		if (frame.length === 0) throw new FrameError('empty frame');
		const tag = frame[0];
		const body = frame.subarray(1);
		if (tag === WHOLE) {
			if (this.#total >= 0) throw new FrameError('whole message inside a cut one');
			if (body.length > this.maxBytes) throw new FrameError('message too large');
			return body.slice();
		}
		if (tag === FIRST) {
			if (this.#total >= 0) throw new FrameError('new message before the last one ended');
			if (body.length < 4) throw new FrameError('first frame too short');
			const total = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
			if (total > this.maxBytes) throw new FrameError(`message of ${total} bytes exceeds ${this.maxBytes}`);
			this.#total = total;
			this.#filled = 0;
			this.#append(body.subarray(4));
			return null;
		}
		if (tag === MIDDLE || tag === LAST) {
			if (this.#total < 0) throw new FrameError('continuation without a first frame');
			this.#append(body);
			if (tag === MIDDLE) return null;
			if (this.#filled !== this.#total) throw new FrameError('message ended short');
			const out = new Uint8Array(this.#filled);
			let at = 0;
			for (const part of this.#parts) {
				out.set(part, at);
				at += part.length;
			}
			this.#reset();
			return out;
		}
		throw new FrameError(`unknown frame tag ${tag}`);
	}

	#append(part: Uint8Array): void {
		if (this.#filled + part.length > this.#total) {
			this.#reset();
			throw new FrameError('message longer than announced');
		}
		// A view, not a copy: the frame's own buffer is the bytes received.
		if (part.length > 0) this.#parts.push(part);
		this.#filled += part.length;
	}

	#reset(): void {
		this.#parts = [];
		this.#total = -1;
		this.#filled = 0;
	}
}
