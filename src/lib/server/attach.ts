import type { Server } from 'node:http';
import { createSignalingServer, type SignalingServer } from './signaling';

/** The path of the signaling WebSocket endpoint, on the same port as the app. */
export const SIGNAL_PATH = '/signal';

/**
 * Routes WebSocket upgrades on SIGNAL_PATH of an HTTP server to a new signaling relay. With
 * `exclusive`, upgrades on any other path are refused (the production server, where nothing else
 * speaks WebSocket; left open they would leak sockets and hang shutdown). The dev server is not
 * exclusive: Vite's hot reload has its own upgrades.
 */
export function attachSignaling(
	server: Pick<Server, 'on'>,
	log?: (m: string) => void,
	{ exclusive = false } = {}
): SignalingServer {
	const signaling = createSignalingServer({}, log);
	server.on('upgrade', (req, socket, head) => {
		const path = (req.url ?? '').split('?')[0];
		if (path === SIGNAL_PATH) signaling.handleUpgrade(req, socket, head);
		else if (exclusive) socket.destroy();
	});
	return signaling;
}
