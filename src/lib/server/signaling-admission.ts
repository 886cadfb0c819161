// Who may open a signaling connection: a browser page of an allowed origin, within the overall and
// per-address connection limits. Checked on the HTTP upgrade request, before any WebSocket exists,
// so a refused client costs one short HTTP response.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { securityHeaders } from './security-headers';
import { SignalingRefusal, type SignalingLimits } from './signaling-limits';

/**
 * Origins whose pages may connect. `'same-host'` (the default): the Origin's host is the Host the
 * request was sent to, i.e. Plateau's own pages. A list: exactly those origins (set one behind a
 * proxy that rewrites Host, and in production: it also shuts out DNS rebinding). `'any'`: no check.
 * A request without Origin is not from a browser page (the hub, a Node peer): always allowed,
 * because such a client could send any Origin it liked; the check exists to stop other sites'
 * pages from using visitors' browsers as relay clients.
 */
export type OriginPolicy = 'same-host' | 'any' | readonly string[];

export function originAllowed(req: IncomingMessage, policy: OriginPolicy): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (policy === 'any') return true;
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return false; // "null" (sandboxed frames, file:) and garbage
	}
	if (policy === 'same-host') {
		const host = req.headers.host;
		if (!host) return false;
		try {
			return new URL(`${url.protocol}//${host}`).host === url.host;
		} catch {
			return false;
		}
	}
	return policy.some((allowed) => normaliseOrigin(allowed) === url.origin);
}

/** `https://Plateau.example.org:443/` → `https://plateau.example.org`; unparsable stays as given. */
export function normaliseOrigin(origin: string): string {
	try {
		return new URL(origin).origin;
	} catch {
		return origin;
	}
}

export type Admission = { ok: true; release: () => void } | { ok: false; status: number; reason: string };

/** Counts upgrade sockets per client address, from admission until the socket closes. */
export class ConnectionCounter {
	readonly #perAddress = new Map<string, number>();
	#total = 0;

	constructor(
		private readonly limits: Pick<SignalingLimits, 'maxConnections' | 'maxConnectionsPerAddress'>
	) {}

	get total(): number {
		return this.#total;
	}

	/** Takes a slot for `address`, or says which limit refuses it. */
	admit(address: string): Admission {
		if (this.#total >= this.limits.maxConnections)
			return { ok: false, status: SignalingRefusal.full, reason: 'relay full' };
		const held = this.#perAddress.get(address) ?? 0;
		if (held >= this.limits.maxConnectionsPerAddress)
			return {
				ok: false,
				status: SignalingRefusal.perAddress,
				reason: 'too many connections from this address'
			};
		this.#perAddress.set(address, held + 1);
		this.#total++;
		let released = false;
		return {
			ok: true,
			release: () => {
				if (released) return;
				released = true;
				this.#total--;
				const left = (this.#perAddress.get(address) ?? 1) - 1;
				if (left > 0) this.#perAddress.set(address, left);
				else this.#perAddress.delete(address);
			}
		};
	}
}

const statusText: Record<number, string> = {
	400: 'Bad Request',
	403: 'Forbidden',
	404: 'Not Found',
	429: 'Too Many Requests',
	503: 'Service Unavailable'
};

/** Answers an upgrade request with a plain HTTP error (security headers included) and closes it. */
export function refuseUpgrade(req: IncomingMessage, socket: Duplex, status: number, reason: string): void {
	if (!socket.writable) {
		socket.destroy();
		return;
	}
	const body = `${reason}\n`;
	const headers: Record<string, string> = {
		connection: 'close',
		'content-type': 'text/plain; charset=utf-8',
		'content-length': String(Buffer.byteLength(body)),
		...(status === SignalingRefusal.full || status === SignalingRefusal.perAddress
			? { 'retry-after': '10' }
			: {}),
		...securityHeaders(req.headers.host)
	};
	const head = Object.entries(headers)
		.map(([name, value]) => `${name}: ${value}`)
		.join('\r\n');
	socket.once('finish', () => socket.destroy());
	socket.once('error', () => socket.destroy());
	socket.end(`HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
}
