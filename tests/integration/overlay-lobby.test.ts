// Where a joiner announces (src/lib/net/mesh-lobby.ts), over real WebRTC (`@roamhq/wrtc`) and
// Plateau's real relay on loopback, counting what the relay delivers on each topic: in a room large
// enough, the announce goes to the joiner's lobby shard only (its members hear it, nobody else) and
// the joiner still links to as many peers as it seeks; when nobody in that shard answers it tries
// another shard, not the whole centre; in a small room it ends on the centre topic and links to
// everyone, as before lobbies; a hub hears every joiner on the hubs' topic and gets linked.
//
// Peer ids are picked so that their shards are known (shardIndex is a hash of the id), and the
// room is settled (every member at its target, so nobody else announces) before the joiner starts.
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import wrtc from '@roamhq/wrtc';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { hubsTopic, lobbyTopic, shardIndex, WebRtcMesh, type WebRtcOptions } from '../../src/lib/net/webrtc';
import { attachSignaling } from '../../src/lib/server/attach';
import type { SignalingServer } from '../../src/lib/server/signaling';
import { TopicFanout } from '../../src/lib/server/signaling-topics';

const CENTRE = 'lobby-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
/** Bounded waits: conditions checked often; the ceiling is for a loaded machine. */
const WAIT = { timeout: 45_000, interval: 25 };

// Every publish the relay delivers, by topic, with the number of copies it wrote.
const deliveries: { topic: string; copies: number }[] = [];
const publish = TopicFanout.prototype.publish;
TopicFanout.prototype.publish = function (this: TopicFanout, topic: string, message: object): number {
	const copies = publish.call(this, topic, message);
	deliveries.push({ topic, copies });
	return copies;
};

let server: Server;
let relay: SignalingServer;
let url: string;
let key: CryptoKey;
let room = 0;
const clients: SignalingClient[] = [];
const meshes: WebRtcMesh[] = [];

beforeAll(async () => {
	key = await deriveCentreKey(SECRET, CENTRE);
	server = createServer((_req, res) => res.end());
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	for (const m of meshes.splice(0)) await m.destroy();
	for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
	TopicFanout.prototype.publish = publish;
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const topic = () => `plateau:${CENTRE}:room-${++room}`;

function mesh(t: string, peerId: string, options: Partial<WebRtcOptions> = {}): WebRtcMesh {
	const signaling = new SignalingClient({ url, key, WebSocketImpl: WebSocket, peerId });
	clients.push(signaling);
	const m = new WebRtcMesh({
		signaling,
		topic: t,
		RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
		// Members answer every announce they can (the reply probability is link-selection's test).
		random: () => 0,
		log: () => {},
		...options
	});
	meshes.push(m);
	return m;
}

/** `count` peer ids (`<prefix>-<n>`) whose shard at `level` is `index`. */
function idsIn(prefix: string, level: number, index: number, count: number): string[] {
	const ids: string[] = [];
	for (let n = 0; ids.length < count; n++) {
		const id = `${prefix}-${n}`;
		if (shardIndex(id, level) === index) ids.push(id);
	}
	return ids;
}

/** Every mesh holds at least its target and none is still setting a link up. */
async function settled(members: WebRtcMesh[]): Promise<void> {
	await vi.waitFor(() => {
		for (const m of members) {
			expect(m.peers().length).toBeGreaterThanOrEqual(m.links.target);
			expect(m.pendingLinks()).toBe(0);
		}
	}, WAIT);
}

/** Copies the relay wrote on each meeting topic (not inboxes) since `from`. */
function announceCopies(t: string, from: number): Map<string, number> {
	const out = new Map<string, number>();
	for (const d of deliveries.slice(from)) {
		const rest = d.topic.slice(t.length);
		if (d.topic !== t && !rest.startsWith('/lobby/') && rest !== '/hubs') continue;
		out.set(d.topic, (out.get(d.topic) ?? 0) + d.copies);
	}
	return out;
}

const announcesHeard = (m: WebRtcMesh) => m.stats().receivedByType.announce ?? 0;

describe('where a joiner announces', () => {
	it('in a room large enough, on its shard only, and it still gets the links it seeks', async () => {
		const t = topic();
		// Two levels (four shards): the joiner's shard holds three members, the rest of the room nine.
		const joinerId = 'joiner-a';
		const own = shardIndex(joinerId, 2);
		const inShard = idsIn('near', 2, own, 3);
		const elsewhere = [...idsIn('far', 2, own ^ 1, 3), ...idsIn('farther', 2, own ^ 2, 6)];
		const links = { target: 1, max: 4 };
		const near = inShard.map((id) => mesh(t, id, { lobbyLevels: 2, links }));
		const far = elsewhere.map((id) => mesh(t, id, { lobbyLevels: 2, links }));
		await settled([...near, ...far]);
		const heardBefore = [...near, ...far].map(announcesHeard);
		const mark = deliveries.length;

		const joiner = mesh(t, joinerId, { lobbyLevels: 2, links: { target: 2, max: 4 } });
		await settled([joiner]);
		// Its links are in its shard: nobody else heard of it.
		for (const peer of joiner.peers()) expect(inShard).toContain(peer);
		expect(joiner.stats().announcesSent).toBe(0);
		// The relay wrote its announce to the shard's three members and back to it, plus nothing on
		// the hubs' topic (no hub here), the centre topic or any other shard.
		const copies = announceCopies(t, mark);
		expect(Object.fromEntries(copies)).toEqual({
			[lobbyTopic(t, 2, own)]: 4,
			[hubsTopic(t)]: 0
		});
		near.forEach((m, i) => expect(announcesHeard(m)).toBe(heardBefore[i]! + 1));
		far.forEach((m, i) => expect(announcesHeard(m)).toBe(heardBefore[near.length + i]!));
	}, 90_000);

	it('when nobody in its shard answers, tries another shard before the centre', async () => {
		const t = topic();
		const joinerId = 'joiner-b';
		const own = shardIndex(joinerId, 2);
		// The joiner's shard: three members at their cap (one link, to a partner in another shard),
		// who do not answer. Its sibling shard: two members with room.
		const capped = idsIn('capped', 2, own, 3);
		const partners = idsIn('partner', 2, own ^ 2, 3);
		const roomy = idsIn('roomy', 2, own ^ 1, 2);
		const only = (id: string) => (peer: string) => peer !== id;
		// Pairs find each other after a few rounds of looking again: kept short.
		const quick = { replyWaitMs: 300, lookAgainMs: 100 };
		const members = [
			...capped.map((id, i) =>
				mesh(t, id, { ...quick, lobbyLevels: 2, links: { target: 1, max: 1 }, refuse: only(partners[i]!) })
			),
			...partners.map((id, i) =>
				mesh(t, id, { ...quick, lobbyLevels: 2, links: { target: 1, max: 1 }, refuse: only(capped[i]!) })
			),
			...roomy.map((id) => mesh(t, id, { lobbyLevels: 2, links: { target: 1, max: 4 } }))
		];
		await settled(members);
		const mark = deliveries.length;

		const joiner = mesh(t, joinerId, {
			lobbyLevels: 2,
			links: { target: 2, max: 4 },
			replyWaitMs: 300,
			lookAgainMs: 100
		});
		await settled([joiner]);
		expect(joiner.peers().sort()).toEqual([...roomy].sort());
		const copies = announceCopies(t, mark);
		// Its own shard first (three members and the echo), then the sibling shard; never the centre.
		expect(copies.get(lobbyTopic(t, 2, own))).toBe(4);
		expect(copies.get(lobbyTopic(t, 2, own ^ 1))).toBeGreaterThanOrEqual(2);
		expect(copies.has(t)).toBe(false);
		expect(joiner.stats().announcesSent).toBe(0);
		expect(joiner.stats().receivedByType.present).toBe(2);
	}, 90_000);

	it('in a small room, ends on the centre topic and links to everyone, as before lobbies', async () => {
		const t = topic();
		const members = ['small-a', 'small-b'].map((id) => mesh(t, id, { links: { target: 1, max: 4 } }));
		await settled(members);
		const mark = deliveries.length;

		const joiner = mesh(t, 'small-joiner', { links: { target: 2, max: 4 } });
		await settled([joiner]);
		expect(joiner.peers().sort()).toEqual(['small-a', 'small-b']);
		// One announce on the centre topic (both members and the echo) after at most two empty
		// shards (levels 6 and 3: an empty shard moves the search up three levels).
		expect(joiner.stats().announcesSent).toBe(1);
		expect(announceCopies(t, mark).get(t)).toBe(3);
		expect(joiner.stats().lobbyAnnouncesSent).toBeLessThanOrEqual(3); // two shards and the hubs
		for (const m of members) expect(m.stats().receivedByType.announce ?? 0).toBeGreaterThan(0);
	}, 90_000);

	it('a hub hears a joiner announcing on its shard, and the joiner links to it', async () => {
		const t = topic();
		const joinerId = 'joiner-c';
		const own = shardIndex(joinerId, 2);
		const links = { target: 1, max: 4 };
		const members = [
			...idsIn('hn', 2, own, 3).map((id) => mesh(t, id, { lobbyLevels: 2, links })),
			...idsIn('hf', 2, own ^ 3, 3).map((id) => mesh(t, id, { lobbyLevels: 2, links }))
		];
		// A hub, as hub.ts makes it: seeks no link, accepts many, always answers.
		const hub = mesh(t, 'the-hub', {
			links: { target: 1, max: 50 },
			profile: { floor: '', hub: true },
			random: Math.random
		});
		await settled([...members, hub]);
		const mark = deliveries.length;
		const heard = announcesHeard(hub);

		const joiner = mesh(t, joinerId, { lobbyLevels: 2, links: { target: 2, max: 4 } });
		await settled([joiner]);
		expect(joiner.peers()).toContain('the-hub');
		expect(joiner.profileOf('the-hub')?.hub).toBe(true);
		// The hub heard it once, on the hubs' topic (it is in no shard); the centre heard nothing.
		expect(announcesHeard(hub)).toBe(heard + 1);
		const copies = announceCopies(t, mark);
		expect(copies.get(hubsTopic(t))).toBe(1);
		expect(copies.has(t)).toBe(false);
	}, 90_000);
});
