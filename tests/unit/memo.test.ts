// The bounded memo behind the key-chain and digest caches (domain/memo.ts).
import { describe, expect, it } from 'vitest';
import { Memo } from '../../src/lib/domain/memo';

describe('Memo', () => {
	it('computes once per key, even for calls made before the first result', async () => {
		const memo = new Memo<number>(10);
		let runs = 0;
		const make = async () => (runs++, 42);
		const all = await Promise.all([memo.get('a', make), memo.get('a', make), memo.get('a', make)]);
		expect(all).toEqual([42, 42, 42]);
		expect(runs).toBe(1);
	});

	it('forgets a failed computation, and the oldest entry beyond its bound', async () => {
		const memo = new Memo<number>(2);
		await expect(memo.get('x', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
		expect(await memo.get('x', async () => 1)).toBe(1);
		await memo.get('y', async () => 2);
		await memo.get('z', async () => 3);
		expect(memo.size).toBe(2);
		expect(await memo.get('x', async () => 10)).toBe(10); // x was the oldest: computed again
	});
});
