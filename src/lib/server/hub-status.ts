// The operator view of a hub instance: GET /hub/status answers JSON — proven agents connected per
// floor, documents held, storage size, acknowledged writes, the bus and the other instances, recent
// warnings and errors, uptime. Nothing secret and no document content.
//
// Access: `Authorization: Bearer <PLATEAU_HUB_TOKEN>`, compared in constant time; without the
// variable the endpoint answers 404 as if it did not exist. A token (rather than a request signed
// by a centre administrator's key) because the view is for monitoring tools and load balancers'
// operators, who have no agent key, and because it reveals nothing an administrator signature
// would need to protect (counts, not content). See docs/decisions.md, "Hub operator view".
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hello } from '../repo/sync-protocol';
import type { HubLogEntry } from './hub-log';

export const HUB_STATUS_PATH = '/hub/status';

export interface HubStatus {
	centre: string;
	instance: string;
	/** The hub's own agent id (public: browsers see it in hello). */
	agentId: string;
	uptimeSeconds: number;
	/** Proven agents connected to this instance, by floor (`''`: no floor chosen yet). */
	agents: { total: number; byFloor: Record<string, number> };
	/** Connections: browsers and other peers, other instances over the bus, unproven peers. */
	peers: { total: number; instances: number; unproven: number };
	documents: number;
	storage: { kind: 'fs' | 'postgres'; chunks: number; bytes: number; acknowledged: number; failed: number };
	bus: { kind: 'none' | 'redis' | 'memory'; connected: boolean; instances: string[] };
	rejectedMessages: number;
	recentErrors: HubLogEntry[];
}

/** Counts proven agents by floor among introduced peers (other instances excluded). */
export function agentsByFloor(
	peers: Map<string, Hello>,
	instances: ReadonlySet<string>
): { agents: HubStatus['agents']; unproven: number } {
	const byFloor: Record<string, number> = {};
	const seen = new Set<string>();
	let unproven = 0;
	for (const [peer, hello] of peers) {
		if (instances.has(peer)) continue;
		if (!hello.verified) {
			unproven++;
			continue;
		}
		// One agent on two devices counts once.
		if (seen.has(hello.agentId)) continue;
		seen.add(hello.agentId);
		byFloor[hello.floor] = (byFloor[hello.floor] ?? 0) + 1;
	}
	return { agents: { total: seen.size, byFloor }, unproven };
}

/** Whether the request carries the operator's token. */
export function authorised(req: IncomingMessage, token: string | undefined): boolean {
	if (!token) return false;
	const header = req.headers.authorization ?? '';
	const match = /^Bearer\s+(.+)$/i.exec(header.trim());
	if (!match) return false;
	// Hashed first: equal lengths for timingSafeEqual, and no length leak.
	const given = createHash('sha256').update(match[1]!).digest();
	const wanted = createHash('sha256').update(token).digest();
	return timingSafeEqual(given, wanted);
}

/** Answers GET /hub/status if that is the request; returns whether it did. */
export function serveHubStatus(
	req: IncomingMessage,
	res: ServerResponse,
	token: string | undefined,
	status: () => Promise<HubStatus>
): boolean {
	const path = (req.url ?? '').split('?')[0];
	if (path !== HUB_STATUS_PATH) return false;
	const send = (code: number, body: unknown, headers: Record<string, string> = {}) => {
		res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
		res.end(JSON.stringify(body));
	};
	if (!token) {
		send(404, { error: 'not found' });
		return true;
	}
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		send(405, { error: 'GET only' }, { allow: 'GET, HEAD' });
		return true;
	}
	if (!authorised(req, token)) {
		send(
			401,
			{ error: 'an operator token is required' },
			{ 'www-authenticate': 'Bearer realm="plateau-hub"' }
		);
		return true;
	}
	status().then(
		(s) => send(200, s),
		(err: unknown) => send(500, { error: err instanceof Error ? err.message : 'status failed' })
	);
	return true;
}
