import type { Server } from 'node:http';
import { refuseUpgrade } from './signaling-admission';
import { createSignalingServer, type SignalingOptions, type SignalingServer } from './signaling';

/** The path of the signaling WebSocket endpoint, on the same port as the app. */
export const SIGNAL_PATH = '/signal';

export interface AttachOptions extends SignalingOptions {
	/**
	 * Refuse upgrades on any other path (the production server, where nothing else speaks
	 * WebSocket; left open they would leak sockets and hang shutdown). The dev server is not
	 * exclusive: Vite's hot reload has its own upgrades.
	 */
	exclusive?: boolean;
}

/** Routes WebSocket upgrades on SIGNAL_PATH of an HTTP server to a new signaling relay. */
export function attachSignaling(
	server: Pick<Server, 'on'>,
	log?: (m: string) => void,
	{ exclusive = false, ...options }: AttachOptions = {}
): SignalingServer {
	const signaling = createSignalingServer(options, log);
	server.on('upgrade', (req, socket, head) => {
		const path = (req.url ?? '').split('?')[0];
		if (path === SIGNAL_PATH) signaling.handleUpgrade(req, socket, head);
		else if (exclusive) refuseUpgrade(req, socket, 404, 'no WebSocket endpoint here');
	});
	return signaling;
}
