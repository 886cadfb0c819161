// The one SHA-256 (domain/subtle.ts): lib0's for small inputs, WebCrypto's for large ones — the same
// digest either way, at every length around SHA-256's block and padding boundaries and the switch.
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/lib/domain/subtle';

describe('sha256', () => {
	it('equals WebCrypto’s digest at every size around the block boundaries and the switch', async () => {
		for (const size of [
			0,
			1,
			55,
			56,
			63,
			64,
			65,
			119,
			4000,
			64 * 1024 - 1,
			64 * 1024,
			64 * 1024 + 1,
			200_000
		]) {
			const bytes = new Uint8Array(size);
			for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
			const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
			expect([...(await sha256(bytes))], `size ${size}`).toEqual([...expected]);
		}
	});

	it('hashes a view as its own bytes, not the buffer around it', async () => {
		const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]);
		const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([1, 2, 3])));
		expect([...(await sha256(buffer.subarray(2, 5)))]).toEqual([...expected]);
	});
});
