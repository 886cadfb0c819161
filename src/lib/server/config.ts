// The production server's settings from environment variables (documented in docs/decisions.md,
// "Relay limits"), parsed in one place so that a typo fails at start, not at the first connection.
import type { IncomingMessage } from 'node:http';
import type { AttachOptions } from './attach';
import type { OriginPolicy } from './signaling-admission';

export type Env = Record<string, string | undefined>;

/**
 * - PLATEAU_ALLOWED_ORIGINS: `*`, or origins separated by commas; unset: the request's own host.
 * - PLATEAU_SIGNAL_MAX_CONNECTIONS, PLATEAU_SIGNAL_MAX_PER_ADDRESS: connection limits.
 * - ADDRESS_HEADER (and XFF_DEPTH), as adapter-node reads them: behind a proxy, the header that
 *   holds the client address, so per-address limits count clients and not the proxy.
 */
export function signalingOptionsFromEnv(env: Env): AttachOptions {
	const options: AttachOptions = { origins: originPolicy(env.PLATEAU_ALLOWED_ORIGINS) };
	const max = positiveInt(env, 'PLATEAU_SIGNAL_MAX_CONNECTIONS');
	if (max !== undefined) options.maxConnections = max;
	const perAddress = positiveInt(env, 'PLATEAU_SIGNAL_MAX_PER_ADDRESS');
	if (perAddress !== undefined) options.maxConnectionsPerAddress = perAddress;
	const header = env.ADDRESS_HEADER?.trim().toLowerCase();
	if (header) {
		const depth = positiveInt(env, 'XFF_DEPTH') ?? 1;
		options.clientAddress = (req) => addressFromHeader(req, header, depth);
	}
	return options;
}

function originPolicy(value: string | undefined): OriginPolicy {
	const v = value?.trim();
	if (!v) return 'same-host';
	if (v === '*') return 'any';
	const origins = v
		.split(',')
		.map((o) => o.trim())
		.filter(Boolean);
	for (const o of origins) {
		let url: URL | undefined;
		try {
			url = new URL(o);
		} catch {
			url = undefined;
		}
		if (!url || url.origin === 'null')
			throw new Error(`PLATEAU_ALLOWED_ORIGINS: "${o}" is not an origin (e.g. https://plateau.example.org)`);
	}
	return origins;
}

function positiveInt(env: Env, name: string): number | undefined {
	const raw = env[name]?.trim();
	if (!raw) return undefined;
	const n = Number(raw);
	if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${raw}" is not a positive integer`);
	return n;
}

/** As adapter-node: X-Forwarded-For holds a list, the client is `depth` entries from the right. */
function addressFromHeader(req: IncomingMessage, header: string, depth: number): string {
	const raw = req.headers[header];
	const value = Array.isArray(raw) ? raw.join(',') : raw;
	if (!value) return req.socket.remoteAddress ?? 'unknown';
	if (header !== 'x-forwarded-for') return value.trim();
	const list = value.split(',').map((a) => a.trim());
	return list[list.length - depth] ?? list[0] ?? 'unknown';
}
