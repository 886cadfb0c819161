import { describe, expect, it } from 'vitest';
import { Disposer, Emitter } from '../../src/lib/domain/emitter';

describe('Emitter', () => {
	it('calls listeners until they unsubscribe', () => {
		const emitter = new Emitter<{ change: (n: number) => void }>();
		const seen: number[] = [];
		const off = emitter.on('change', (n) => seen.push(n));
		emitter.emit('change', 1);
		off();
		emitter.emit('change', 2);
		expect(seen).toEqual([1]);
		expect(emitter.count()).toBe(0);
	});

	it('a listener that unsubscribes another during emit does not break the round', () => {
		const emitter = new Emitter<{ tick: () => void }>();
		const seen: string[] = [];
		let offB = () => {};
		emitter.on('tick', () => {
			seen.push('a');
			offB();
		});
		offB = emitter.on('tick', () => seen.push('b'));
		emitter.emit('tick');
		emitter.emit('tick');
		expect(seen).toEqual(['a', 'b', 'a']);
	});
});

describe('Disposer', () => {
	it('undoes everything newest first, once', () => {
		const order: number[] = [];
		const d = new Disposer();
		d.add(() => order.push(1));
		d.add(
			() => order.push(2),
			() => order.push(3)
		);
		d.dispose();
		d.dispose();
		expect(order).toEqual([3, 2, 1]);
		expect(d.disposed).toBe(true);
	});

	it('runs at once what is added after disposal', () => {
		const d = new Disposer();
		d.dispose();
		let ran = false;
		d.add(() => (ran = true));
		expect(ran).toBe(true);
	});

	it('runs every undo even when one throws, then rethrows the first error', () => {
		const d = new Disposer();
		let ran = false;
		d.add(() => (ran = true));
		d.add(() => {
			throw new Error('first');
		});
		expect(() => d.dispose()).toThrow('first');
		expect(ran).toBe(true);
	});
});
