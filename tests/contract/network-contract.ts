// The contract every NetworkAdapter passes: run by each adapter's test file with its own setup
// (memory in node now; BroadcastChannel and WebRTC in Chromium).
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkAdapter, PeerId } from '../../src/lib/repo/network';

export interface NetworkSetup {
	/** Two or more adapters on one network, each seeing the others connect. */
	create(count: number): Promise<NetworkAdapter[]>;
	/** Breaks the connection between two adapters as a network failure would. */
	cut(a: NetworkAdapter, b: NetworkAdapter): Promise<void>;
	dispose(adapters: NetworkAdapter[]): Promise<void>;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

function inbox(adapter: NetworkAdapter): { from: PeerId; message: Uint8Array }[] {
	const got: { from: PeerId; message: Uint8Array }[] = [];
	adapter.on('message', (from, message) => got.push({ from, message }));
	return got;
}

export function runNetworkContract(name: string, setup: NetworkSetup): void {
	describe(`NetworkAdapter contract: ${name}`, () => {
		let live: NetworkAdapter[] = [];
		afterEach(async () => {
			await setup.dispose(live);
			live = [];
		});

		it('connects peers to each other, under distinct ids', async () => {
			live = await setup.create(3);
			const ids = live.map((a) => a.peerId);
			expect(new Set(ids).size).toBe(3);
			await waitFor(() => live.every((a) => a.peers().length === 2), 'every peer to see the two others');
			for (const a of live) expect(a.peers().sort()).toEqual(ids.filter((id) => id !== a.peerId).sort());
		});

		it('delivers messages whole and in order, to the addressed peer only', async () => {
			live = await setup.create(3);
			const [a, b, c] = live as [NetworkAdapter, NetworkAdapter, NetworkAdapter];
			await waitFor(() => a.peers().length === 2, 'connections');
			const atB = inbox(b);
			const atC = inbox(c);
			for (let i = 0; i < 50; i++) a.send(b.peerId, new Uint8Array([i, i + 1, i + 2]));
			await waitFor(() => atB.length === 50, '50 messages at b');
			expect(atB.map((m) => m.message[0])).toEqual([...Array(50).keys()]);
			expect(atB.every((m) => m.from === a.peerId && m.message.length === 3)).toBe(true);
			expect(atC).toHaveLength(0);
		});

		it('delivers a message larger than one transport frame (1 MiB) intact', async () => {
			live = await setup.create(2);
			const [a, b] = live as [NetworkAdapter, NetworkAdapter];
			await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'connection');
			const atB = inbox(b);
			const big = new Uint8Array(1024 * 1024);
			for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
			a.send(b.peerId, big);
			a.send(b.peerId, new Uint8Array([7]));
			await waitFor(() => atB.length === 2, 'both messages');
			// Compared byte by byte without the matcher's per-element diffing (slow on 1 MiB).
			const got = atB[0]!.message;
			expect(got.length).toBe(big.length);
			expect(got.every((v, i) => v === big[i])).toBe(true);
			expect(atB[1]!.message).toEqual(new Uint8Array([7]));
		});

		it('tells both sides when a connection breaks, and drops sends to unknown peers', async () => {
			live = await setup.create(3);
			const [a, b, c] = live as [NetworkAdapter, NetworkAdapter, NetworkAdapter];
			await waitFor(() => live.every((x) => x.peers().length === 2), 'full mesh');
			const gone: string[] = [];
			a.on('peer-disconnected', (p) => gone.push(`a-lost-${p}`));
			b.on('peer-disconnected', (p) => gone.push(`b-lost-${p}`));
			await setup.cut(a, b);
			await waitFor(() => gone.includes(`a-lost-${b.peerId}`) && gone.includes(`b-lost-${a.peerId}`), 'both');
			expect(a.peers()).not.toContain(b.peerId);
			expect(b.peers()).not.toContain(a.peerId);
			const atB = inbox(b);
			a.send(b.peerId, new Uint8Array([1]));
			a.send('nobody', new Uint8Array([1]));
			// Absence shown by a later message that did arrive.
			c.send(b.peerId, new Uint8Array([2]));
			await waitFor(() => atB.length === 1, "c's message at b");
			expect(atB.map((m) => [m.from, ...m.message])).toEqual([[c.peerId, 2]]);
		});

		it('binds each connection: both ends compute the same binding, other connections another', async () => {
			live = await setup.create(3);
			const [a, b, c] = live as [NetworkAdapter, NetworkAdapter, NetworkAdapter];
			await waitFor(() => live.every((x) => x.peers().length === 2), 'full mesh');
			const ab = a.channelBinding(b.peerId);
			const ac = a.channelBinding(c.peerId);
			const bc = b.channelBinding(c.peerId);
			expect(typeof ab).toBe('string');
			expect(ab!.length).toBeGreaterThan(8);
			expect(b.channelBinding(a.peerId)).toBe(ab);
			expect(c.channelBinding(a.peerId)).toBe(ac);
			expect(c.channelBinding(b.peerId)).toBe(bc);
			expect(new Set([ab, ac, bc]).size).toBe(3);
			expect(a.channelBinding('nobody')).toBeUndefined();
			expect(a.channelBinding(a.peerId)).toBeUndefined();
		});

		it('disconnect(peer, reason) closes that one connection at both ends and leaves the others', async () => {
			live = await setup.create(3);
			const [a, b, c] = live as [NetworkAdapter, NetworkAdapter, NetworkAdapter];
			await waitFor(() => live.every((x) => x.peers().length === 2), 'full mesh');
			const gone: string[] = [];
			a.on('peer-disconnected', (p) => gone.push(`a-lost-${p}`));
			b.on('peer-disconnected', (p) => gone.push(`b-lost-${p}`));
			c.on('peer-disconnected', (p) => gone.push(`c-lost-${p}`));
			a.disconnect(b.peerId, 'broke the protocol (test)');
			await waitFor(() => gone.includes(`b-lost-${a.peerId}`), 'b to see a go');
			expect(gone).toContain(`a-lost-${b.peerId}`);
			expect(a.peers()).toEqual([c.peerId]);
			expect(b.peers()).toEqual([c.peerId]);
			expect(a.channelBinding(b.peerId)).toBeUndefined();
			expect(b.channelBinding(a.peerId)).toBeUndefined();
			// a → b is dropped; a → c and b → c still flow (and arrive after it would have).
			const atB = inbox(b);
			const atC = inbox(c);
			a.send(b.peerId, new Uint8Array([1]));
			a.send(c.peerId, new Uint8Array([2]));
			b.send(c.peerId, new Uint8Array([3]));
			c.send(b.peerId, new Uint8Array([4]));
			await waitFor(() => atC.length === 2 && atB.length === 1, 'the surviving links');
			expect(atB.map((m) => [m.from, ...m.message])).toEqual([[c.peerId, 4]]);
			expect(gone.filter((g) => g.startsWith('c-'))).toEqual([]);
			a.disconnect('nobody', 'unknown peer: nothing happens');
		});

		it('stops calling a listener once unsubscribed, and peers see a destroyed adapter leave', async () => {
			live = await setup.create(2);
			const [a, b] = live as [NetworkAdapter, NetworkAdapter];
			await waitFor(() => a.peers().length === 1, 'connection');
			const got: Uint8Array[] = [];
			const off = b.on('message', (_f, m) => got.push(m));
			a.send(b.peerId, new Uint8Array([1]));
			await waitFor(() => got.length === 1, 'first message');
			off();
			const after = inbox(b);
			a.send(b.peerId, new Uint8Array([2]));
			await waitFor(() => after.length === 1, 'second message');
			expect(got).toHaveLength(1);
			await a.destroy();
			await waitFor(() => b.peers().length === 0, 'b to see a leave');
		});
	});
}
