// Framing of data-channel messages: cut into ≤ 16 KiB frames, reassembled whole, and a peer whose
// framing is wrong or too large is caught.
import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, FrameError, Reassembler, toFrames } from '../../src/lib/net/chunking';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('toFrames / Reassembler', () => {
	it('keeps every frame within 16 KiB and reassembles messages of any size exactly', () => {
		for (const size of [0, 1, FRAME_BYTES - 1, FRAME_BYTES, FRAME_BYTES * 3 + 17, 2 * 1024 * 1024]) {
			const message = bytes(size);
			const frames = toFrames(message);
			expect(frames.every((f) => f.length <= FRAME_BYTES)).toBe(true);
			const r = new Reassembler(64 * 1024 * 1024);
			const out = frames.map((f) => r.push(f));
			expect(out.slice(0, -1).every((o) => o === null)).toBe(true);
			expect(same(out[out.length - 1]!, message)).toBe(true);
		}
	});

	it('reassembles consecutive messages on one stream', () => {
		const r = new Reassembler(1 << 20);
		const messages = [bytes(5), bytes(40_000), bytes(1), bytes(70_000)];
		const got = messages
			.flatMap((m) => toFrames(m))
			.map((f) => r.push(f))
			.filter((m): m is Uint8Array => m !== null);
		expect(got).toHaveLength(4);
		got.forEach((m, i) => expect(same(m, messages[i]!)).toBe(true));
	});

	it('refuses a message announced larger than the limit before buffering it', () => {
		const r = new Reassembler(50_000);
		expect(() => r.push(toFrames(bytes(100_000))[0]!)).toThrow(FrameError);
		expect(() => new Reassembler(10).push(toFrames(bytes(11))[0]!)).toThrow(/too large/);
	});

	it('refuses frames out of place: continuation first, unknown tag, empty, overlong', () => {
		const frames = toFrames(bytes(40_000));
		expect(() => new Reassembler(1 << 20).push(frames[1]!)).toThrow(/continuation/);
		expect(() => new Reassembler(1 << 20).push(new Uint8Array([9, 1]))).toThrow(/unknown frame tag 9/);
		expect(() => new Reassembler(1 << 20).push(new Uint8Array())).toThrow(/empty/);
		const r = new Reassembler(1 << 20);
		r.push(frames[0]!);
		expect(() => r.push(toFrames(bytes(3))[0]!)).toThrow(/inside a cut one/);
		const r2 = new Reassembler(1 << 20);
		r2.push(frames[0]!);
		r2.push(frames[1]!);
		expect(() => r2.push(frames[1]!)).toThrow(/longer than announced/);
	});
});

describe('Reassembler memory', () => {
	it('holds only the bytes received: a 5-byte frame announcing 60 MiB costs nothing big', () => {
		const r = new Reassembler(64 * 1024 * 1024);
		const claim = new Uint8Array(5);
		claim[0] = 1; // first frame of a cut message
		new DataView(claim.buffer).setUint32(1, 60 * 1024 * 1024);
		const before = process.memoryUsage().arrayBuffers;
		expect(r.push(claim)).toBeNull();
		expect(r.buffered).toBe(0);
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
		// Continuations add exactly what they carry.
		const middle = new Uint8Array(1001);
		middle[0] = 2;
		r.push(middle);
		r.push(middle);
		expect(r.buffered).toBe(2000);
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
	});

	it('refuses bytes past the announced length or the cap, and forgets what it held', () => {
		const r = new Reassembler(40_000);
		const frames = toFrames(bytes(30_000));
		r.push(frames[0]!);
		expect(r.buffered).toBe(FRAME_BYTES - 5);
		const extra = new Uint8Array(FRAME_BYTES);
		extra[0] = 2;
		expect(() => r.push(extra)).toThrow(/longer than announced/);
		expect(r.buffered).toBe(0);
		expect(() => r.push(toFrames(bytes(50_000))[0]!)).toThrow(/exceeds 40000/);
		expect(r.buffered).toBe(0);
	});
});
