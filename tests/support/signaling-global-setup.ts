// Starts Plateau's real signaling relay for browser tests (node side), on a free port that tests
// read with inject('signalingUrl').
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { attachSignaling } from '../../src/lib/server/attach';

declare module 'vitest' {
	export interface ProvidedContext {
		signalingUrl: string;
	}
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const server = createServer((_req, res) => res.end());
	// The test pages come from Vitest's own server, another origin than this relay's.
	const relay = attachSignaling(server, () => {}, { exclusive: true, origins: 'any' });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	project.provide('signalingUrl', `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`);
	return async () => {
		await relay.close();
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	};
}
