// The cases the SHA-256 tests run in Node (tests/unit) and in Chromium (tests/browser), where lib0
// hashes small inputs differently (node:crypto, plain JavaScript): the same digest as WebCrypto's at
// every length around SHA-256's block and padding boundaries and the switch to WebCrypto, and a view
// hashed as its own bytes, not the buffer around it.
import { expect, it } from 'vitest';
import { sha256 } from '../../src/lib/domain/subtle';

const SIZES = [0, 1, 55, 56, 63, 64, 65, 119, 4000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000];

export function sha256Cases(): void {
	it('equals WebCrypto’s digest at every size around the block boundaries and the switch', async () => {
		for (const size of SIZES) {
			const bytes = new Uint8Array(size);
			for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
			const expected = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))];
			expect([...(await sha256(bytes))], `size ${size}`).toEqual(expected);
			const view = new Uint8Array([5, ...bytes, 5]).subarray(1, size + 1);
			expect([...(await sha256(view))], `view of size ${size}`).toEqual(expected);
		}
	});

	it('hashes a view as its own bytes, not the buffer around it', async () => {
		const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]);
		const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([1, 2, 3])));
		expect([...(await sha256(buffer.subarray(2, 5)))]).toEqual([...expected]);
	});
}
