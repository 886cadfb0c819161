import type { Server } from 'node:http';
import type { Plugin } from 'vite';
import { attachSignaling } from './attach';

/** Serves the signaling endpoint from `vite dev` too, so development matches production. */
export function signalingDevPlugin(): Plugin {
	return {
		name: 'plateau-signaling',
		configureServer(server) {
			if (server.httpServer)
				attachSignaling(server.httpServer as Server, (m) => server.config.logger.warn(m));
		}
	};
}
