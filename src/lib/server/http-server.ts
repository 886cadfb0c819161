// Plateau's HTTP server: the app handler behind security headers, the signaling relay and (when a hub
// runs in this process) the hub socket on the same port, and timeouts so that a client which opens a connection and never finishes its request (or
// its WebSocket upgrade) does not hold a socket forever.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { attachHubSocket, attachSignaling, type AttachOptions } from './attach';
import type { HubSocketServer } from './hub-socket-server';
import { applySecurityHeaders } from './security-headers';
import type { SignalingServer } from './signaling';

export interface HttpTimeouts {
	/** Request (or upgrade) headers must have arrived within this. */
	headersTimeoutMs: number;
	/** The whole request must have arrived within this. */
	requestTimeoutMs: number;
	/** How often Node checks the two above (a half-open connection lives at most timeout + this). */
	checkIntervalMs: number;
	/** An idle keep-alive connection is closed after this. */
	keepAliveTimeoutMs: number;
}

export const defaultHttpTimeouts: HttpTimeouts = {
	headersTimeoutMs: 10_000,
	requestTimeoutMs: 30_000,
	checkIntervalMs: 2_000,
	keepAliveTimeoutMs: 5_000
};

export interface AppServer {
	server: Server;
	signaling: SignalingServer;
}

export function createAppServer(
	handler: (req: IncomingMessage, res: ServerResponse) => void,
	{
		timeouts = {},
		signaling = {},
		hub,
		log = () => {}
	}: {
		timeouts?: Partial<HttpTimeouts>;
		signaling?: AttachOptions;
		/** The hub's socket adapter, served on /hub; without one /hub is refused with 404. */
		hub?: HubSocketServer;
		log?: (m: string) => void;
	} = {}
): AppServer {
	const t = { ...defaultHttpTimeouts, ...timeouts };
	const server = createServer(
		{
			headersTimeout: t.headersTimeoutMs,
			requestTimeout: t.requestTimeoutMs,
			connectionsCheckingInterval: t.checkIntervalMs,
			keepAliveTimeout: t.keepAliveTimeoutMs
		},
		(req, res) => {
			applySecurityHeaders(req, res);
			handler(req, res);
		}
	);
	const relay = attachSignaling(server, log, { exclusive: true, ...signaling });
	attachHubSocket(server, hub);
	return { server, signaling: relay };
}
