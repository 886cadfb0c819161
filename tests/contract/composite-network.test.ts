// CompositeNetwork passes the network contract (over two memory transports, every peer on both),
// and routes each peer over one transport at a time, switching when that one closes.
import { describe, expect, it } from 'vitest';
import { CompositeNetwork } from '../../src/lib/net/composite';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { runNetworkContract } from './network-contract';

/** Peers on two transports (say WebRTC and a WebSocket), each peer on both. */
function twoTransports(count: number) {
	const first = new MemoryHub();
	const second = new MemoryHub();
	const peers = Array.from({ length: count }, (_, i) => {
		const a = first.join(`peer-${i}`);
		const b = second.join(`peer-${i}`);
		return { composite: new CompositeNetwork(`peer-${i}`, [a, b]), a, b };
	});
	return { first, second, peers };
}

runNetworkContract('composite of two memory transports', {
	create: async (count) => twoTransports(count).peers.map((p) => p.composite),
	cut: async (x, y) => {
		for (const adapter of (x as CompositeNetwork).adapters())
			(adapter as MemoryNetworkAdapter).hub.unlink(x.peerId, y.peerId);
	},
	dispose: async (adapters) => {
		for (const a of adapters) await a.destroy();
	}
});

describe('CompositeNetwork routing', () => {
	it('uses the first transport, ignores the spare, and moves to it as a new connection when the first closes', async () => {
		const { first, peers } = twoTransports(2);
		const [p0, p1] = peers as [(typeof peers)[0], (typeof peers)[0]];
		expect(p0.composite.transportOf('peer-1')).toBe(p0.a);
		const got: string[] = [];
		const events: string[] = [];
		p1.composite.on('message', (_from, m) => got.push(new TextDecoder().decode(m)));
		p1.composite.on('peer-disconnected', (p) => events.push(`down ${p}`));
		p1.composite.on('peer-connected', (p) => events.push(`up ${p}`));
		const bindingBefore = p1.composite.channelBinding('peer-0');

		p0.b.send('peer-1', new TextEncoder().encode('over the spare')); // not the route: ignored
		p0.composite.send('peer-1', new TextEncoder().encode('routed'));
		expect(got).toEqual(['routed']);

		first.unlink('peer-0', 'peer-1');
		expect(events).toEqual(['down peer-0', 'up peer-0']);
		expect(p1.composite.transportOf('peer-0')).toBe(p1.b);
		expect(p1.composite.channelBinding('peer-0')).not.toBe(bindingBefore);
		p0.composite.send('peer-1', new TextEncoder().encode('after the switch'));
		expect(got).toEqual(['routed', 'after the switch']);
		for (const p of peers) await p.composite.destroy();
	});

	it('disconnect() cuts the peer on every transport, and a removed transport takes its peers away', async () => {
		const { peers } = twoTransports(3);
		const [p0] = peers as [(typeof peers)[0]];
		p0.composite.disconnect('peer-1', 'broke the protocol');
		expect(p0.composite.peers()).toEqual(['peer-2']);
		expect(p0.a.peers()).not.toContain('peer-1');
		expect(p0.b.peers()).not.toContain('peer-1');

		const down: string[] = [];
		p0.composite.on('peer-disconnected', (p) => down.push(p));
		const removeA = p0.composite.adapters()[0]!;
		const remove = p0.composite.add(removeA); // already there: returns its remover
		remove();
		// peer-2 was reached over the first transport: it moves to the second as a new connection.
		expect(down).toEqual(['peer-2']);
		expect(p0.composite.transportOf('peer-2')).toBe(p0.b);
		for (const p of peers) await p.composite.destroy();
	});
});
