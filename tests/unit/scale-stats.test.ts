// The scale benchmark's pure helpers (tests/bench/scale-stats.ts): the plan read from the
// environment, peers spread over processes, the overlay's link summary and connectivity, and the
// power-law fit behind the extrapolation to 500 peers.
import { describe, expect, it } from 'vitest';
import { isLinked, powerFit, scalePlan, spreadPeers, summariseLinks } from '../bench/scale-stats';

describe('scalePlan', () => {
	it('defaults to the issue’s sizes (and 10, which the full mesh reaches) and every mode', () => {
		const plan = scalePlan({});
		expect(plan.sizes).toEqual([10, 20, 50, 100, 200]);
		expect(plan.modes).toEqual(['mesh-broadcast', 'mesh', 'bounded', 'bounded+hub']);
		expect(plan.relay).toBe('production');
	});

	it('reads sizes and modes, sorted and without repeats', () => {
		const plan = scalePlan({
			PLATEAU_SCALE_N: '50, 20,50',
			PLATEAU_SCALE_MODES: 'mesh,mesh',
			PLATEAU_SCALE_FILL: '0'
		});
		expect(plan.sizes).toEqual([20, 50]);
		expect(plan.modes).toEqual(['mesh']);
		expect(plan.fillArticles).toBe(0);
	});

	it('refuses malformed values with the variable’s name', () => {
		expect(() => scalePlan({ PLATEAU_SCALE_N: '20,abc' })).toThrow(/PLATEAU_SCALE_N/);
		expect(() => scalePlan({ PLATEAU_SCALE_N: '1' })).toThrow(/PLATEAU_SCALE_N/);
		expect(() => scalePlan({ PLATEAU_SCALE_MODES: 'star' })).toThrow(/PLATEAU_SCALE_MODES/);
		expect(() => scalePlan({ PLATEAU_SCALE_EDITS: '0' })).toThrow(/PLATEAU_SCALE_EDITS/);
		expect(() => scalePlan({ PLATEAU_SCALE_RELAY: 'none' })).toThrow(/PLATEAU_SCALE_RELAY/);
	});
});

describe('spreadPeers', () => {
	it('uses as few processes as hold the limit, two at least, evenly', () => {
		expect(spreadPeers(20, 25).map((g) => g.length)).toEqual([10, 10]);
		expect(spreadPeers(50, 25).map((g) => g.length)).toEqual([25, 25]);
		expect(spreadPeers(101, 25).map((g) => g.length)).toEqual([21, 20, 20, 20, 20]);
		expect(spreadPeers(7, 25).flat().sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
	});

	it('places peer i in process i modulo the process count', () => {
		const groups = spreadPeers(9, 4);
		groups.forEach((g, i) => g.forEach((label) => expect(Number(label.slice(1)) % groups.length).toBe(i)));
	});
});

describe('summariseLinks', () => {
	it('counts pairs once and finds every component', () => {
		const s = summariseLinks([
			{ id: 'a', links: ['b'] },
			{ id: 'b', links: ['a', 'c'] },
			{ id: 'c', links: ['b'] },
			{ id: 'd', links: ['e'] },
			{ id: 'e', links: [] }
		]);
		expect(s).toEqual({ peers: 5, pairs: 3, mean: 1, min: 0, max: 2, components: 2 });
		expect(isLinked(s, 1)).toBe(false);
	});

	it('ignores links to peers not listed (a joiner, a peer gone)', () => {
		const s = summariseLinks([
			{ id: 'a', links: ['b', 'x'] },
			{ id: 'b', links: ['a'] }
		]);
		expect(s.max).toBe(1);
		expect(isLinked(s, 1)).toBe(true);
	});

	it('calls a full mesh linked only when every peer holds every other', () => {
		const ids = ['a', 'b', 'c', 'd'];
		const full = ids.map((id) => ({ id, links: ids.filter((o) => o !== id) }));
		expect(isLinked(summariseLinks(full), 3)).toBe(true);
		const missing = full.map((p) => (p.id === 'a' ? { id: 'a', links: ['b', 'c'] } : p));
		expect(isLinked(summariseLinks(missing), 3)).toBe(false);
		// A bounded target larger than the overlay asks for everyone.
		expect(isLinked(summariseLinks(full), 8)).toBe(true);
	});
});

describe('powerFit', () => {
	it('recovers y = c·x^k', () => {
		const fit = powerFit([20, 50, 100].map((x) => ({ x, y: 3 * x ** 2 })))!;
		expect(fit.k).toBeCloseTo(2, 6);
		expect(fit.c).toBeCloseTo(3, 6);
	});

	it('needs two distinct sizes', () => {
		expect(powerFit([{ x: 20, y: 5 }])).toBeUndefined();
		expect(
			powerFit([
				{ x: 20, y: 5 },
				{ x: 20, y: 6 }
			])
		).toBeUndefined();
	});
});
