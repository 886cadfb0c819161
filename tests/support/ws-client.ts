// A WebSocket client for relay tests: records what it receives and how it was closed, and waits
// for conditions (a message, a close) instead of sleeping.
import type { Server } from 'node:http';
import { afterEach } from 'vitest';
import type WebSocket from 'ws';
import type { SignalingServer } from '../../src/lib/server/signaling';

export type Message = Record<string, unknown>;

/** A WebSocket client that records what it receives and how it was closed. */
export class Client {
	readonly messages: Message[] = [];
	closed: { code: number; reason: string } | undefined;
	readonly #waiters = new Set<() => void>();

	constructor(readonly ws: WebSocket) {
		ws.on('message', (data) => {
			try {
				this.messages.push(JSON.parse(data.toString()) as Message);
			} catch {
				this.messages.push({ raw: data.toString() });
			}
			this.#wake();
		});
		ws.on('close', (code, reason) => {
			this.closed = { code, reason: reason.toString() };
			this.#wake();
		});
		ws.on('error', () => {});
	}

	send(message: unknown): void {
		this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
	}

	/** Resolves once `predicate` holds, checked after every message and close. */
	until(predicate: () => boolean, what: string, timeoutMs = 1500): Promise<void> {
		if (predicate()) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const check = () => {
				if (!predicate()) return;
				clearTimeout(timer);
				this.#waiters.delete(check);
				resolve();
			};
			const timer = setTimeout(() => {
				this.#waiters.delete(check);
				reject(
					new Error(
						`timed out waiting for ${what}; got ${JSON.stringify(this.messages)} closed=${JSON.stringify(this.closed)}`
					)
				);
			}, timeoutMs);
			this.#waiters.add(check);
		});
	}

	/** A ping/pong round trip: everything sent before it has been handled by the server, and
	 *  everything the server sent this client before handling it has arrived. */
	async roundTrip(): Promise<void> {
		const pongs = this.of('pong').length;
		this.send({ type: 'ping' });
		await this.until(() => this.of('pong').length > pongs, 'pong');
	}

	of(type: string): Message[] {
		return this.messages.filter((m) => m.type === type);
	}

	waitClosed(timeoutMs?: number): Promise<{ code: number; reason: string }> {
		return this.until(() => this.closed !== undefined, 'close', timeoutMs).then(() => this.closed!);
	}

	#wake(): void {
		for (const waiter of [...this.#waiters]) waiter();
	}
}

/** Lists for the HTTP servers, relays and clients a test opens; each is closed after every test. */
export function relayFixture(): { servers: Server[]; relays: SignalingServer[]; clients: Client[] } {
	const servers: Server[] = [];
	const relays: SignalingServer[] = [];
	const clients: Client[] = [];
	afterEach(async () => {
		for (const c of clients.splice(0)) c.ws.terminate();
		for (const r of relays.splice(0)) await r.close();
		for (const s of servers.splice(0)) {
			s.closeAllConnections();
			await new Promise<void>((resolve) => s.close(() => resolve()));
		}
	});
	return { servers, relays, clients };
}
