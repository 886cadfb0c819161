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
 *  `maxBytes` (the connection should then be closed: its framing can no longer be trusted). */
export class Reassembler {
	#buffer: Uint8Array | null = null;
	#filled = 0;

	constructor(readonly maxBytes: number) {}

	push(frame: Uint8Array): Uint8Array | null {
		if (frame.length === 0) throw new FrameError('empty frame');
		const tag = frame[0];
		const body = frame.subarray(1);
		if (tag === WHOLE) {
			if (this.#buffer) throw new FrameError('whole message inside a cut one');
			if (body.length > this.maxBytes) throw new FrameError('message too large');
			return body.slice();
		}
		if (tag === FIRST) {
			if (this.#buffer) throw new FrameError('new message before the last one ended');
			if (body.length < 4) throw new FrameError('first frame too short');
			const total = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
			if (total > this.maxBytes) throw new FrameError(`message of ${total} bytes exceeds ${this.maxBytes}`);
			this.#buffer = new Uint8Array(total);
			this.#filled = 0;
			this.#append(body.subarray(4));
			return null;
		}
		if (tag === MIDDLE || tag === LAST) {
			if (!this.#buffer) throw new FrameError('continuation without a first frame');
			this.#append(body);
			if (tag === MIDDLE) return null;
			if (this.#filled !== this.#buffer.length) throw new FrameError('message ended short');
			const out = this.#buffer;
			this.#buffer = null;
			return out;
		}
		throw new FrameError(`unknown frame tag ${tag}`);
	}

	#append(part: Uint8Array): void {
		if (this.#filled + part.length > this.#buffer!.length)
			throw new FrameError('message longer than announced');
		this.#buffer!.set(part, this.#filled);
		this.#filled += part.length;
	}
}
