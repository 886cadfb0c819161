// The "read again if it changed meanwhile" loop the roles and review-interval states share.
import { describe, expect, it } from 'vitest';
import { Reread } from '../../src/lib/state/reread';

/** A read that waits until released, counting its runs. */
function gatedRead(result: () => boolean | void = () => undefined) {
	const gates: (() => void)[] = [];
	let runs = 0;
	const read = async () => {
		runs++;
		await new Promise<void>((resolve) => gates.push(resolve));
		return result();
	};
	const release = async () => {
		while (!gates.length) await Promise.resolve();
		gates.shift()!();
	};
	return { read, release, runs: () => runs };
}

describe('Reread', () => {
	it('coalesces the refreshes asked during a read into one more read, and never overlaps reads', async () => {
		const g = gatedRead();
		const r = new Reread(g.read, () => false);
		const first = r.refresh();
		const second = r.refresh();
		const third = r.refresh();
		expect(second).toBe(first);
		expect(third).toBe(first);
		expect(g.runs()).toBe(1);
		await g.release();
		await g.release();
		await first;
		expect(g.runs()).toBe(2);
		const later = r.refresh();
		expect(later).not.toBe(first);
		await g.release();
		await later;
		expect(g.runs()).toBe(3);
	});

	it('reads again when the read asks for it, and stops once stopped', async () => {
		let stopped = false;
		// Asks for two more reads; from the fourth on, always asks, but the fifth stops the loop.
		const g = gatedRead(() => {
			if (g.runs() === 5) stopped = true;
			return g.runs() !== 3;
		});
		const r = new Reread(g.read, () => stopped);
		const done = r.refresh();
		for (let i = 0; i < 3; i++) await g.release();
		await done;
		expect(g.runs()).toBe(3);
		const again = r.refresh();
		await g.release();
		await g.release();
		await again;
		expect(g.runs()).toBe(5);
	});
});
