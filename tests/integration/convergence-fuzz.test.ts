// Convergence under abuse: 5 peers, 20 documents, 10,000 random operations with random disconnects,
// reconnects, reordered and duplicated deliveries. At the end every replica of every document is
// identical (content and state vector). Seeded: a failure prints its seed and replays exactly.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { writeHeader } from '../../src/lib/schema/index';
import { rng } from '../bench/generate';

const SEED = Number(process.env.PLATEAU_FUZZ_SEED ?? 20261123);
const PEERS = 5;
const DOCS = 20;
const OPS = 10_000;

interface Peer {
	repo: Repo;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
}

const live: Peer[] = [];
afterEach(async () => {
	for (const p of live.splice(0)) {
		p.sync.destroy();
		await p.net.destroy();
		await p.repo.destroy();
	}
});

describe('convergence fuzz', () => {
	it(
		`converges: ${PEERS} peers, ${DOCS} documents, ${OPS} operations (seed ${SEED})`,
		{ timeout: 120_000 },
		async () => {
			const random = rng(SEED);
			const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
			const hub = new MemoryHub({ queued: true, duplicate: 0.1, random });
			const peers: Peer[] = [];
			for (let i = 0; i < PEERS; i++) {
				const repo = new Repo({ storage: new MemoryStorage(), compactAfter: 50 });
				const net = hub.join(`p${i}`);
				const identity = await generateIdentity();
				const sync = new Synchronizer({
					repo,
					network: net,
					policy: new CentreSharePolicy(identity.agentId),
					agentId: identity.agentId,
					floor: 'bourse',
					identity
				});
				sync.onRejected((r) => {
					throw new Error(`seed ${SEED}: honest peer rejected a message: ${r.reason}`);
				});
				peers.push({ repo, net, sync });
				live.push({ repo, net, sync });
			}
			const docIds = Array.from({ length: DOCS }, (_, i) => `article/fuzz-${i}`);
			// Current-schema documents, so reloading one at the end runs no migration (which would write).
			for (const id of docIds) writeHeader(await peers[0]!.repo.open(id), 'article');
			const counts = { edit: 0, deliver: 0, cut: 0, link: 0 };

			for (let op = 0; op < OPS; op++) {
				const r = random();
				if (r < 0.45) {
					// A local edit: text insert/delete, a map write, or an array push.
					counts.edit++;
					const p = pick(peers);
					const doc = await p.repo.open(pick(docIds));
					const kind = random();
					if (kind < 0.5) {
						const text = doc.getText('body');
						if (text.length > 0 && random() < 0.3) text.delete(Math.floor(random() * text.length), 1);
						else
							text.insert(
								Math.floor(random() * (text.length + 1)),
								String.fromCharCode(97 + Math.floor(random() * 26))
							);
					} else if (kind < 0.8)
						doc.getMap('meta').set(pick(['title', 'node', 'floor', 'owner']), Math.floor(random() * 1000));
					else doc.getArray('comments').push([op]);
				} else if (r < 0.93) {
					counts.deliver++;
					for (let k = 0; k < 3; k++) hub.step();
				} else if (r < 0.965) {
					counts.cut++;
					const a = pick(peers).net.peerId;
					const b = pick(peers).net.peerId;
					if (a !== b) hub.unlink(a, b);
				} else {
					counts.link++;
					const a = pick(peers).net.peerId;
					const b = pick(peers).net.peerId;
					if (a !== b) hub.link(a, b);
				}
				if (op % 50 === 0) await Promise.all(peers.map((p) => p.sync.idle()));
			}

			// Heal the network and let everything settle.
			for (const a of peers) for (const b of peers) if (a !== b) hub.link(a.net.peerId, b.net.peerId);
			for (let round = 0; round < 200; round++) {
				hub.flush();
				await Promise.all(peers.map((p) => p.sync.idle()));
				await new Promise((r) => setTimeout(r, 0));
				if (hub.pending === 0 && round > 3) {
					await Promise.all(peers.map((p) => p.sync.idle()));
					if (hub.pending === 0) break;
				}
			}

			expect(counts.cut).toBeGreaterThan(100);
			expect(counts.edit).toBeGreaterThan(4000);
			for (const id of docIds) {
				const replicas = await Promise.all(peers.map((p) => p.repo.open(id)));
				const reference = replicas[0]!;
				const expected = {
					text: reference.getText('body').toString(),
					meta: reference.getMap('meta').toJSON(),
					comments: reference.getArray('comments').toJSON()
				};
				for (const [i, doc] of replicas.entries()) {
					const where = `seed ${SEED}, ${id}, peer ${i}`;
					expect(Y.encodeStateVector(doc), where).toEqual(Y.encodeStateVector(reference));
					expect(
						{
							text: doc.getText('body').toString(),
							meta: doc.getMap('meta').toJSON(),
							comments: doc.getArray('comments').toJSON()
						},
						where
					).toEqual(expected);
					expect(doc.store.pendingStructs, where).toBeNull();
				}
			}
			// Storage holds the same: a replica reloaded from its own store equals the live one.
			await peers[3]!.repo.flush();
			const reloaded = new Repo({
				storage: new MemoryStorage((peers[3]!.repo.storage as MemoryStorage).chunks)
			});
			for (const id of docIds) {
				const doc = await reloaded.open(id);
				expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(await peers[0]!.repo.open(id)));
			}
		}
	);
});
