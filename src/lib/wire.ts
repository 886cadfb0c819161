// The one place that picks concrete adapters for the browser app.
import { deriveCentreKey } from './net/crypto';
import { SignalingClient } from './net/signaling-client';
import { signalingPairingChannel } from './net/pairing';
import { meshTopic, WebRtcMesh } from './net/webrtc';
import { IndexedDbDeviceStore } from './storage/device-idb';
import { databaseName, IndexedDbStorage } from './storage/indexeddb';
import { IndexedDbSearchStore, searchDatabaseName } from './storage/search-idb';
import type { AppEnvironment } from './state/app.svelte';

/** The signaling endpoint of the server that served this page. */
function signalingUrl(): string {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
}

/** End-to-end tests send crafted sync messages from a page: only on a device where the test set
 *  `plateau:test-hooks` in its storage. */
function exposeForTests(name: string, value: unknown): void {
	if (globalThis.localStorage?.getItem('plateau:test-hooks') === '1')
		(globalThis as Record<string, unknown>)[name] = value;
}

export function browserEnvironment(): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(centreId)),
		device: new IndexedDbDeviceStore(),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(centreId)),
		storage: globalThis.localStorage,
		openSearchStore: (storeName) => new IndexedDbSearchStore(searchDatabaseName(storeName)),
		connect: async ({ centreId, secret, room }) => {
			const key = await deriveCentreKey(secret, centreId);
			const signaling = new SignalingClient({ url: signalingUrl(), key });
			const network = new WebRtcMesh({ signaling, topic: meshTopic(centreId, room) });
			exposeForTests('__plateauNetwork', network);
			return {
				network,
				signaling,
				pairing: () => signalingPairingChannel(signaling, `${meshTopic(centreId, room)}:pair`)
			};
		}
	};
}
