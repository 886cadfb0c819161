// The one place that picks concrete adapters for the browser app.
import { databaseName, IndexedDbStorage } from './storage/indexeddb';
import type { AppEnvironment } from './state/app.svelte';

export function browserEnvironment(): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(centreId)),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(centreId)),
		storage: globalThis.localStorage
	};
}
