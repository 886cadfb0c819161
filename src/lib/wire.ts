// The one place that picks concrete adapters for the browser app.
import { CompositeNetwork } from './net/composite';
import { deriveCentreKey } from './net/crypto';
import { hubFallback } from './net/hub-fallback';
import { HUB_PATH, HubSocket } from './net/hub-socket';
import { SignalingClient } from './net/signaling-client';
import { signalingPairingChannel } from './net/pairing';
import { meshTopic, WebRtcMesh, type WebRtcOptions } from './net/webrtc';
import { IndexedDbDeviceStore } from './storage/device-idb';
import { databaseName, IndexedDbStorage } from './storage/indexeddb';
import { IndexedDbSearchStore, searchDatabaseName } from './storage/search-idb';
import type { AppEnvironment } from './state/app.svelte';

/** A WebSocket endpoint of the server that served this page. */
function socketUrl(path: string): string {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}

/** A test hook's value on a device where the test set `plateau:test-hooks`. */
function testHook(name: string): string | null {
	if (globalThis.localStorage?.getItem('plateau:test-hooks') !== '1') return null;
	return globalThis.localStorage.getItem(name);
}

function testHooks(): boolean {
	return testHook('plateau:test-hooks') !== null;
}

/** End-to-end tests send crafted sync messages from a page: only on a device where the test set
 *  `plateau:test-hooks` in its storage. */
function exposeForTests(name: string, value: unknown): void {
	if (testHooks()) (globalThis as Record<string, unknown>)[name] = value;
}

/** Mesh options end-to-end tests set (test-hooks devices only): link bounds
 *  (`plateau:test-links`, JSON {target, max}) and peers never linked to (`plateau:test-refuse-peers`,
 *  a JSON list of peer ids, read at each decision). */
function meshTestOptions(): Pick<WebRtcOptions, 'links' | 'refuse'> {
	if (!testHooks()) return {};
	const read = (key: string): unknown => {
		try {
			return JSON.parse(localStorage.getItem(key) ?? 'null');
		} catch {
			return null;
		}
	};
	const links = read('plateau:test-links') as WebRtcOptions['links'] | null;
	return {
		...(links ? { links } : {}),
		refuse: (peer) => {
			const refused = read('plateau:test-refuse-peers');
			return Array.isArray(refused) && refused.includes(peer);
		}
	};
}

export function browserEnvironment(): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(centreId)),
		device: new IndexedDbDeviceStore(),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(centreId)),
		storage: globalThis.localStorage,
		openSearchStore: (storeName) => new IndexedDbSearchStore(searchDatabaseName(storeName)),
		exposeForTests,
		connect: async ({ centreId, secret, room }, profile) => {
			const key = await deriveCentreKey(secret, centreId);
			const signaling = new SignalingClient({ url: socketUrl('/signal'), key });
			// The WebRTC mesh, and the hub's WebSocket when the mesh reaches no hub (hub-fallback.ts);
			// the test hook plays a network that blocks WebRTC: no mesh, the socket at once.
			const noWebRtc = testHook('plateau:test-no-webrtc') === '1';
			const mesh = noWebRtc
				? undefined
				: new WebRtcMesh({
						signaling,
						topic: meshTopic(centreId, room),
						profile: profile ?? { floor: '' },
						...meshTestOptions()
					});
			const network = new CompositeNetwork(signaling.peerId, mesh ? [mesh] : []);
			hubFallback({
				composite: network,
				mesh: mesh ?? network,
				isHub: (peer) => mesh?.profileOf(peer)?.hub === true,
				open: () => new HubSocket({ url: socketUrl(HUB_PATH), key, peerId: signaling.peerId }),
				now: noWebRtc
			});
			exposeForTests('__plateauNetwork', network);
			return {
				network,
				signaling,
				setProfile: (p) => mesh?.setProfile(p),
				pairing: () => signalingPairingChannel(signaling, `${meshTopic(centreId, room)}:pair`)
			};
		}
	};
}
