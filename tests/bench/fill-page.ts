// The page of the fill benchmark (bundled by fill.node.ts): a fresh browser device — Plateau's real
// Repo on IndexedDB and Synchronizer — that joins the centre through the hub socket and is filled by
// the hub. `fill` resolves once `count` documents are stored in IndexedDB and listed there.
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { HubSocket } from '../../src/lib/net/hub-socket';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { isLogId } from '../../src/lib/repo/sync-log';
import { MessageType } from '../../src/lib/repo/sync-protocol';
import { IndexedDbStorage } from '../../src/lib/storage/indexeddb';

interface FillArgs {
	url: string;
	centreId: string;
	secret: string;
	count: number;
	timeoutMs: number;
}

const bench = {
	/** Connects, waits until `count` documents are in IndexedDB; returns the time from connect
	 *  (the key and identity are made before it), or how many were stored at the deadline. */
	async fill(a: FillArgs): Promise<{
		ms: number;
		firstMs: number;
		allMs: number;
		stored: number;
		rejected: number;
		reached: boolean;
		/** When the connection was up, and when the first message of each type came (ms from t0). */
		phases: Record<string, number>;
	}> {
		const key = await deriveCentreKey(a.secret, a.centreId);
		const identity = await generateIdentity();
		const storage = new IndexedDbStorage(`plateau-fill-${Date.now()}`);
		const repo = new Repo({ storage });
		const t0 = performance.now();
		const net = new HubSocket({ url: a.url, key, peerId: `browser-${identity.agentId.slice(0, 8)}` });
		const sync = new Synchronizer({
			repo,
			network: net,
			policy: new CentreSharePolicy(identity.agentId),
			agentId: identity.agentId,
			floor: 'bourse',
			identity
		});
		// What happens before the first document: the first message of each type (its first byte is
		// the type while types stay below 128).
		const phases: Record<string, number> = {};
		const names = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k]));
		net.on('peer-connected', () => (phases.connected ??= performance.now() - t0));
		net.on('message', (_from, bytes) => {
			const name = names[bytes[0]!] ?? '?';
			phases[name] ??= performance.now() - t0;
		});
		const seen = new Set<string>();
		let firstMs = 0;
		let allMs = 0;
		repo.onChange((e) => {
			if (!seen.size) firstMs = performance.now() - t0;
			seen.add(e.docId);
			if (seen.size === a.count) allMs = performance.now() - t0;
		});
		const stored = async () => (await storage.list()).filter((id) => !isLogId(id)).length;
		let reached = false;
		let n = 0;
		while (performance.now() - t0 < a.timeoutMs) {
			if (seen.size >= a.count) {
				await sync.idle();
				await repo.flush();
				n = await stored();
				if (n >= a.count) {
					reached = true;
					break;
				}
			}
			await new Promise((r) => setTimeout(r, 25));
		}
		const ms = performance.now() - t0;
		if (!reached) n = await stored();
		const rejected = sync.rejected.length;
		sync.destroy();
		await net.destroy();
		await repo.destroy();
		return { ms, firstMs, allMs, stored: n, rejected, reached, phases };
	}
};

(globalThis as unknown as { bench: typeof bench }).bench = bench;
