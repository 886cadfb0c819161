// WebSocket endpoints on the app's own port: the signaling relay on /signal and the hub socket on
// /hub. One upgrade router per HTTP server routes each path to its endpoint; on an exclusive server
// (production) any other path is refused with 404, and /hub is refused with 404 until a hub attaches.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HubSocketServer } from './hub-socket-server';
import { refuseUpgrade } from './signaling-admission';
import { createSignalingServer, type SignalingOptions, type SignalingServer } from './signaling';

/** The path of the signaling WebSocket endpoint, on the same port as the app. */
export const SIGNAL_PATH = '/signal';
/** The path of the hub socket (net/hub-socket.ts says the same). */
export const HUB_SOCKET_PATH = '/hub';

export interface AttachOptions extends SignalingOptions {
	/**
	 * Refuse upgrades on any other path (the production server, where nothing else speaks
	 * WebSocket; left open they would leak sockets and hang shutdown). The dev server is not
	 * exclusive: Vite's hot reload has its own upgrades.
	 */
	exclusive?: boolean;
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
interface Router {
	routes: Map<string, UpgradeHandler>;
	exclusive: boolean;
}

const routers = new WeakMap<object, Router>();

/** The upgrade router of `server` (installed on first use). */
function router(server: Pick<Server, 'on'>, exclusive = false): Router {
	let r = routers.get(server);
	if (!r) {
		const made: Router = { routes: new Map(), exclusive: false };
		routers.set(server, (r = made));
		server.on('upgrade', (req, socket, head) => {
			const path = (req.url ?? '').split('?')[0] ?? '';
			const handler = made.routes.get(path);
			if (handler) handler(req, socket, head);
			else if (made.exclusive) refuseUpgrade(req, socket, 404, 'no WebSocket endpoint here');
		});
	}
	if (exclusive) r.exclusive = true;
	return r;
}

/** Routes WebSocket upgrades on SIGNAL_PATH of an HTTP server to a new signaling relay. */
export function attachSignaling(
	server: Pick<Server, 'on'>,
	log?: (m: string) => void,
	{ exclusive = false, ...options }: AttachOptions = {}
): SignalingServer {
	const signaling = createSignalingServer(options, log);
	router(server, exclusive).routes.set(SIGNAL_PATH, (req, socket, head) =>
		signaling.handleUpgrade(req, socket, head)
	);
	return signaling;
}

/**
 * Routes upgrades on HUB_SOCKET_PATH to `hub` (server/hub-socket-server.ts), or refuses them with 404
 * when `hub` is undefined (no hub runs here: the dev server, a server without one). Returns the
 * function that detaches the hub (the path is refused again).
 */
export function attachHubSocket(server: Pick<Server, 'on'>, hub: HubSocketServer | undefined): () => void {
	const r = router(server);
	const refuse: UpgradeHandler = (req, socket) => refuseUpgrade(req, socket, 404, 'no hub on this server');
	const handler: UpgradeHandler = hub ? (req, socket, head) => hub.handleUpgrade(req, socket, head) : refuse;
	r.routes.set(HUB_SOCKET_PATH, handler);
	return () => {
		if (r.routes.get(HUB_SOCKET_PATH) === handler) r.routes.set(HUB_SOCKET_PATH, refuse);
	};
}
