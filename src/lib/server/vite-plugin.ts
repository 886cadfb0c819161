import type { Server } from 'node:http';
import type { Plugin } from 'vite';
import { attachHubSocket, attachSignaling } from './attach';

/** Serves the signaling endpoint from `vite dev` too, so development matches production; /hub is
 *  refused cleanly there (no hub runs in dev). */
export function signalingDevPlugin(): Plugin {
	return {
		name: 'plateau-signaling',
		configureServer(server) {
			if (!server.httpServer) return;
			attachSignaling(server.httpServer as Server, (m) => server.config.logger.warn(m));
			// No hub in dev: /hub is refused with 404 (browsers fall back to WebRTC only).
			attachHubSocket(server.httpServer as Server, undefined);
		}
	};
}
