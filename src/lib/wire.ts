// The one place that picks concrete adapters for the browser app.
import { deriveCentreKey } from './net/crypto';
import { SignalingClient } from './net/signaling-client';
import { signalingPairingChannel } from './net/pairing';
import { meshTopic, WebRtcMesh, type WebRtcOptions } from './net/webrtc';
import { IndexedDbDeviceStore } from './storage/device-idb';
import { databaseName, IndexedDbStorage } from './storage/indexeddb';
import { IndexedDbSearchStore, searchDatabaseName } from './storage/search-idb';
import type { AppEnvironment } from './state/app.svelte';

/** The signaling endpoint of the server that served this page. */
function signalingUrl(): string {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
}

function testHooks(): boolean {
	return globalThis.localStorage?.getItem('plateau:test-hooks') === '1';
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
		connect: async ({ centreId, secret, room }, profile) => {
			const key = await deriveCentreKey(secret, centreId);
			const signaling = new SignalingClient({ url: signalingUrl(), key });
			const network = new WebRtcMesh({
				signaling,
				topic: meshTopic(centreId, room),
				profile: profile ?? { floor: '' },
				...meshTestOptions()
			});
			exposeForTests('__plateauNetwork', network);
			return {
				network,
				signaling,
				setProfile: (p) => network.setProfile(p),
				pairing: () => signalingPairingChannel(signaling, `${meshTopic(centreId, room)}:pair`)
			};
		}
	};
}
