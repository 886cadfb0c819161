// Whom a joiner links to and how likely a peer is to answer an announce (link-selection.ts), and
// what a neighbour may make a device hold in its awareness (awareness-bounds.ts).
import { describe, expect, it } from 'vitest';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
	checkBounds,
	chooseLinks,
	crossFloorShare,
	OnlineEstimate,
	replyProbability,
	REPLY_FACTOR
} from '../../src/lib/net/link-selection';
import { asSignal } from '../../src/lib/net/mesh-signals';
import { boundAwarenessUpdate, writeAwarenessUpdate } from '../../src/lib/repo/awareness-bounds';

const me = { floor: 'bourse', agentId: 'agent-me' };
const c = (peer: string, floor: string, extra: { agentId?: string; hub?: boolean } = {}) => ({
	peer,
	profile: { floor, ...extra }
});

describe('link selection', () => {
	it('ranks this agent’s other devices, then one hub, then the cross-floor share, then the floor', () => {
		const candidates = [
			c('same-1', 'bourse'),
			c('same-2', 'bourse'),
			c('same-3', 'bourse'),
			c('other-1', 'compte'),
			c('hub', 'compte', { hub: true }),
			c('hub-2', 'bourse', { hub: true }),
			c('mine', 'compte', { agentId: 'agent-me' })
		];
		for (let run = 0; run < 20; run++) {
			const picked = chooseLinks(me, [], candidates, 4, 4);
			expect(picked.slice(0, 2)).toEqual(['mine', expect.stringMatching(/^hub/)]);
			expect(picked).toHaveLength(4);
			// The cross-floor share (1 of 4) is met by "mine" or the hub already when they are on
			// another floor; the rest stays on the floor.
			expect(picked.filter((p) => p.startsWith('same')).length).toBeGreaterThanOrEqual(1);
		}
		// A hub already linked: no second one.
		expect(
			chooseLinks(me, [{ floor: 'x', hub: true }], [c('hub', 'x', { hub: true }), c('s', 'bourse')], 1, 4)
		).toEqual(['s']);
		// No cross-floor link yet: one is taken before the floor fills the rest.
		expect(chooseLinks(me, [], [c('s1', 'bourse'), c('s2', 'bourse'), c('x', 'compte')], 2, 4)).toContain(
			'x'
		);
		expect(chooseLinks(me, [{ floor: 'compte' }], [c('s1', 'bourse'), c('x', 'compte')], 1, 4)).toEqual([
			's1'
		]);
		expect(crossFloorShare(3)).toBe(1);
		expect(crossFloorShare(8)).toBe(2);
	});

	it('answers with a probability that keeps the expected answers at REPLY_FACTOR × target', () => {
		expect(replyProbability(4, 3)).toBe(1);
		for (const others of [10, 100, 1000])
			expect(replyProbability(4, others) * others).toBeCloseTo(REPLY_FACTOR * 4);
		expect(() => checkBounds({ target: 5, max: 4 })).toThrow(RangeError);
		expect(checkBounds({ target: 3, max: 5 })).toEqual({ target: 3, max: 5 });
	});

	it('estimates peers online from the relay’s count and the peers heard lately, within bounds', () => {
		const e = new OnlineEstimate(1000, 3);
		expect(e.others(0)).toBe(0);
		e.relaySaid(12, 0);
		expect(e.others(0)).toBe(11);
		for (const p of ['a', 'b', 'c', 'd', 'e']) e.saw(p, 10);
		expect(e.others(10)).toBe(11);
		expect(e.others(2000)).toBe(0); // both forgotten past the window; the map kept ≤ 3 ids
	});

	it('drops malformed signals and oversized profiles before the mesh sees them', () => {
		expect(asSignal({ type: 'present', from: 'a', to: 'b', profile: { floor: 'x' } })).toBeDefined();
		expect(asSignal({ type: 'present', from: 'a', to: 'b' })).toBeUndefined();
		expect(asSignal({ type: 'busy', from: 'a' })).toBeUndefined();
		expect(asSignal({ type: 'announce', from: 'a', profile: { floor: 'x'.repeat(300) } })).toBeUndefined();
		expect(asSignal({ type: 'nope', from: 'a', to: 'b' })).toBeUndefined();
		expect(asSignal({ type: 'announce', from: 'a', profile: { floor: 'x', hub: 'yes' } })).toBeUndefined();
	});
});

describe('awareness bounds', () => {
	it('refuses clients past the cap and oversized states, and drops another state for this device', () => {
		const here = new Awareness(new Y.Doc());
		const limits = { maxClients: 3, maxStateBytes: 64 };
		const entry = (client: number, state: unknown) => ({ client, clock: 1, state: JSON.stringify(state) });
		const ok = boundAwarenessUpdate(
			here,
			writeAwarenessUpdate([entry(1, { n: 1 }), entry(2, { n: 2 })]),
			limits
		);
		expect(ok).toEqual({ entries: [entry(1, { n: 1 }), entry(2, { n: 2 })] });
		// This device holds its own state: 1 + 3 new > 3.
		here.setLocalState({ me: true });
		expect(
			boundAwarenessUpdate(here, writeAwarenessUpdate([entry(1, {}), entry(2, {}), entry(3, {})]), limits)
		).toEqual({ refused: 'awareness past 3 clients' });
		expect(
			boundAwarenessUpdate(here, writeAwarenessUpdate([entry(1, { x: 'y'.repeat(80) })]), limits)
		).toMatchObject({
			refused: expect.stringMatching(/bytes/)
		});
		const forged = boundAwarenessUpdate(
			here,
			writeAwarenessUpdate([entry(here.clientID, { me: false })]),
			limits
		);
		expect(forged).toEqual({ entries: [] });
		expect(boundAwarenessUpdate(here, new Uint8Array([5, 1]), limits)).toMatchObject({
			refused: expect.any(String)
		});
		// y-protocols' own encoding reads back the same.
		const other = new Awareness(new Y.Doc());
		other.setLocalState({ name: 'Ana' });
		expect(boundAwarenessUpdate(here, encodeAwarenessUpdate(other, [other.clientID]), limits)).toMatchObject({
			entries: [{ client: other.clientID, state: '{"name":"Ana"}' }]
		});
		here.destroy();
		other.destroy();
	});
});
