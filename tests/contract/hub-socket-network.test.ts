// The hub socket passes the network contract over real `ws` sockets. The contract assumes every
// peer reaches every other; the hub socket is a star (one server, its clients). So each contract
// peer runs a hub socket server AND a client to every lower-numbered peer's server, joined by a
// CompositeNetwork: every pair of peers is one real sealed WebSocket (server side at one end, client
// side at the other), and every contract check runs over both ends. Clients reconnect only after a
// minute here, so a connection the contract cut stays cut. The star itself is checked below.
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { CompositeNetwork } from '../../src/lib/net/composite';
import type { HubSocket } from '../../src/lib/net/hub-socket';
import { SEALED_BINDING_PREFIX } from '../../src/lib/net/sealed-channel';
import { HubSocketClose } from '../../src/lib/net/sealed-socket';
import type { NetworkAdapter } from '../../src/lib/repo/network';
import { closeHub, hubClient, serveHub, waitFor, type ServedHub } from '../support/hub-socket-fixture';
import { runNetworkContract } from './network-contract';

interface MeshPeer {
	composite: CompositeNetwork;
	served: ServedHub;
	clients: { to: string; client: HubSocket; opened: WebSocket[] }[];
}

const meshes = new Map<NetworkAdapter, MeshPeer>();

async function mesh(count: number): Promise<NetworkAdapter[]> {
	const peers: MeshPeer[] = [];
	for (let i = 0; i < count; i++) {
		const id = `peer-${i}`;
		const served = await serveHub({ peerId: id });
		const clients = await Promise.all(
			peers.map(async (lower) => ({
				to: lower.composite.peerId,
				...(await hubClient(lower.served.url, id, { minBackoffMs: 60_000 }))
			}))
		);
		const composite = new CompositeNetwork(id, [served.hub, ...clients.map((c) => c.client)]);
		const peer = { composite, served, clients };
		meshes.set(composite, peer);
		peers.push(peer);
	}
	return peers.map((p) => p.composite);
}

runNetworkContract('hub socket (sealed WebSocket, server and client ends)', {
	create: mesh,
	cut: async (a, b) => {
		// The connection between two peers is the higher one's client to the lower one's server:
		// its TCP socket is destroyed with no close frame, as a lost network does.
		const [lo, hi] = [meshes.get(a)!, meshes.get(b)!].sort((x, y) =>
			x.composite.peerId < y.composite.peerId ? -1 : 1
		);
		const link = hi!.clients.find((c) => c.to === lo!.composite.peerId)!;
		link.opened.at(-1)!.terminate();
	},
	dispose: async (adapters) => {
		for (const a of adapters) {
			await a.destroy();
			const peer = meshes.get(a);
			if (peer) await closeHub(peer.served);
			meshes.delete(a);
		}
	}
});

describe('hub socket as a star: one hub, its browsers', () => {
	const open: ServedHub[] = [];
	const clients: HubSocket[] = [];
	afterEach(async () => {
		for (const c of clients.splice(0)) await c.destroy();
		for (const s of open.splice(0)) await closeHub(s);
	});

	it('each client sees only the hub, under the id the handshake gave; the hub sees every client, each bound apart', async () => {
		const served = await serveHub({ peerId: 'hub-1' });
		open.push(served);
		const made = await Promise.all(['b-0', 'b-1', 'b-2'].map((id) => hubClient(served.url, id)));
		clients.push(...made.map((m) => m.client));
		await waitFor(() => served.hub.peers().length === 3, 'three clients at the hub');
		await waitFor(() => made.every((m) => m.client.peers().length === 1), 'every client connected');
		expect(served.hub.peers().sort()).toEqual(['b-0', 'b-1', 'b-2']);
		const bindings = made.map(({ client }) => {
			expect(client.peers()).toEqual(['hub-1']);
			const binding = client.channelBinding('hub-1')!;
			expect(binding.startsWith(SEALED_BINDING_PREFIX)).toBe(true);
			expect(served.hub.channelBinding(client.peerId)).toBe(binding);
			return binding;
		});
		expect(new Set(bindings).size).toBe(3);

		// Both ways, through the hub only.
		const atHub: string[] = [];
		served.hub.on('message', (from, m) => atHub.push(`${from}:${m[0]}`));
		const atB1: number[] = [];
		made[1]!.client.on('message', (_from, m) => atB1.push(m[0]!));
		made[0]!.client.send('b-1', new Uint8Array([9])); // not a peer of a client: dropped
		made[0]!.client.send('hub-1', new Uint8Array([1]));
		served.hub.send('b-1', new Uint8Array([2]));
		await waitFor(() => atHub.length === 1 && atB1.length === 1, 'both messages');
		expect(atHub).toEqual(['b-0:1']);
		expect(atB1).toEqual([2]);
		const stats = served.hub.stats();
		expect(stats.connections).toBe(3);
		expect(stats.peers).toBe(3);
		expect(stats.bytesIn).toBeGreaterThan(0);
		expect(stats.bytesOut).toBeGreaterThan(0);
	});

	it('a second connection claiming a live peer id is closed; the live one stays', async () => {
		const served = await serveHub({ peerId: 'hub-1' });
		open.push(served);
		const first = await hubClient(served.url, 'agent-x');
		clients.push(first.client);
		await waitFor(() => first.client.peers().length === 1, 'first connected');
		const binding = served.hub.channelBinding('agent-x');
		const second = await hubClient(served.url, 'agent-x', { minBackoffMs: 60_000 });
		clients.push(second.client);
		const closed: number[] = [];
		await waitFor(() => second.opened.length === 1, 'second socket');
		second.opened[0]!.on('close', (code) => closed.push(code));
		await waitFor(() => closed.length === 1, 'second closed');
		expect(closed).toEqual([HubSocketClose.duplicate]);
		expect(served.hub.stats().refused.duplicate).toBe(1);
		expect(served.hub.peers()).toEqual(['agent-x']);
		expect(served.hub.channelBinding('agent-x')).toBe(binding);
		const got: number[] = [];
		first.client.on('message', (_f, m) => got.push(m[0]!));
		served.hub.send('agent-x', new Uint8Array([5]));
		await waitFor(() => got.length === 1, 'message on the live connection');
		expect(second.client.peers()).toEqual([]);
	});

	it('a client whose connection dropped reconnects on its own, as a new connection with a new binding', async () => {
		const served = await serveHub({ peerId: 'hub-1' });
		open.push(served);
		const { client, opened } = await hubClient(served.url, 'b-0', { minBackoffMs: 20, maxBackoffMs: 100 });
		clients.push(client);
		const events: string[] = [];
		client.on('peer-connected', (p) => events.push(`up ${p}`));
		client.on('peer-disconnected', (p) => events.push(`down ${p}`));
		await waitFor(() => events.length === 1, 'connected');
		const before = client.channelBinding('hub-1');
		opened[0]!.terminate();
		await waitFor(() => events.length === 3, 'down and up again');
		expect(events).toEqual(['up hub-1', 'down hub-1', 'up hub-1']);
		expect(opened.length).toBe(2);
		expect(client.channelBinding('hub-1')).not.toBe(before);
		// The client may finish its side of the handshake before the hub has dropped the old
		// connection and recorded the new one (they race on a busy machine): both ends agree soon.
		await waitFor(
			() => served.hub.channelBinding('b-0') === client.channelBinding('hub-1'),
			'the hub on the new connection, with the same binding'
		);
		expect(served.hub.channelBinding('b-0')).toBe(client.channelBinding('hub-1'));
	});
});
