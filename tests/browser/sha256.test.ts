// The one SHA-256 (domain/subtle.ts) in the browser, where lib0 hashes small inputs in plain
// JavaScript (in Node it is node:crypto): the same digest as WebCrypto's at every length around
// SHA-256's block and padding boundaries and the switch to WebCrypto.
import { expect, it } from 'vitest';
import { sha256 } from '../../src/lib/domain/subtle';

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
		expect([...(await sha256(new Uint8Array([5, ...bytes, 5]).subarray(1, size + 1)))]).toEqual([
			...expected
		]);
	}
});
