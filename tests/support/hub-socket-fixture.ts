// Hub socket servers and clients over real `ws` sockets on 127.0.0.1, for contract and integration
// tests: each server is a node:http server with the hub socket attached on /hub; clients record the
// `ws` instances they open so a test can cut one as a network failure would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { HubSocket, type HubSocketOptions } from '../../src/lib/net/hub-socket';
import type { AgentIdentity } from '../../src/lib/repo/identity';
import type { NetworkAdapter } from '../../src/lib/repo/network';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import type { ByteSocket } from '../../src/lib/net/sealed-socket';
import { attachHubSocket } from '../../src/lib/server/attach';
import {
	createHubSocketServer,
	type HubSocketServer,
	type HubSocketServerOptions
} from '../../src/lib/server/hub-socket-server';
import { MemoryStorage } from '../../src/lib/storage/memory';

export const SECRET = 'ABCD-EFGH-JKLM-NPQR';
export const CENTRE = 'centre-socket';
let keys: Promise<CryptoKey> | undefined;
/** The test centre's key (derived once: PBKDF2 takes a while). */
export const centreKey = () => (keys ??= deriveCentreKey(SECRET, CENTRE));

export interface ServedHub {
	hub: HubSocketServer;
	server: Server;
	url: string;
}

/** A hub socket server listening on a free port of 127.0.0.1. */
export async function serveHub(
	options: Partial<HubSocketServerOptions> & { peerId: string }
): Promise<ServedHub> {
	const hub = createHubSocketServer({ key: await centreKey(), ...options });
	const server = createServer((_req, res) => res.end());
	attachHubSocket(server, hub);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return { hub, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/hub` };
}

export async function closeHub({ hub, server }: ServedHub): Promise<void> {
	await hub.destroy();
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A `ws` class that records every socket it opens. */
export function recordingWebSocket(): { Impl: new (url: string) => ByteSocket; opened: WebSocket[] } {
	const opened: WebSocket[] = [];
	class Recording extends WebSocket {
		constructor(url: string) {
			super(url);
			opened.push(this);
		}
	}
	return { Impl: Recording as unknown as new (url: string) => ByteSocket, opened };
}

/** A hub socket client; its `ws` sockets are in `opened` (the last one is the live one). */
export async function hubClient(
	url: string,
	peerId: string,
	options: Partial<HubSocketOptions> = {}
): Promise<{ client: HubSocket; opened: WebSocket[] }> {
	const { Impl, opened } = recordingWebSocket();
	const client = new HubSocket({
		url,
		key: await centreKey(),
		peerId,
		WebSocketImpl: Impl,
		log: () => {},
		...options
	});
	return { client, opened };
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** A device syncing over one transport: a Repo on memory storage, a Synchronizer proving
 *  `identity`, and the reasons of the messages it refused. */
export interface SyncedDevice {
	repo: Repo;
	sync: Synchronizer;
	rejected: string[];
}

/** A device on `net`; its teardown is handed to `cleanup` (the test's list of things to undo). */
export function syncedDevice(
	net: NetworkAdapter,
	identity: AgentIdentity,
	cleanup: (undo: () => Promise<void>) => void
): SyncedDevice {
	const repo = new Repo({ storage: new MemoryStorage() });
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	cleanup(async () => {
		sync.destroy();
		await repo.destroy();
	});
	return { repo, sync, rejected };
}
