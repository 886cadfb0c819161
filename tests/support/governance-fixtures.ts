// Fixtures the governance tests share (publications, lifecycle records, review intervals, roles):
// the article they publish, publish rights from a table, the update a device sends after a change,
// the Acme centre a founder makes, and an honest device on the memory network.
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { toBase64 } from '../../src/lib/domain/base64';
import type { PublishRights } from '../../src/lib/domain/revision';
import type { ReviewIntervalRecord } from '../../src/lib/domain/review-interval';
import type { TaxonomyNode } from '../../src/lib/domain/taxonomy';
import type { MemoryHub, MemoryNetworkAdapter } from '../../src/lib/net/memory';
import type { AgentIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { signInterval } from '../../src/lib/repo/review-intervals';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { initCentre, rolePublishRights } from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';

/** A draft procedure, filed under `node`. */
export function procedureMeta(node = 'bourse-ordres'): ArticleMeta {
	return {
		kind: 'procedure',
		title: 'Ordre rejeté',
		node,
		locale: 'fr',
		tags: [],
		status: 'draft',
		createdAt: 1,
		updatedAt: 1
	};
}

/** Rights from a table: agent → topics it may publish. */
export function rightsFrom(table: Record<string, string[]>): PublishRights {
	return (agentId, topic) => table[agentId]?.includes(topic) ?? false;
}

/** The update a device sends after `change` made on its copy of `doc`. */
export async function changeOn(doc: Y.Doc, change: (copy: Y.Doc) => unknown): Promise<Uint8Array> {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const sv = Y.encodeStateVector(copy);
	await change(copy);
	return Y.encodeStateAsUpdate(copy, sv);
}

/** Bourse and its sub-topic Ordres. */
export const BOURSE_TAXONOMY: TaxonomyNode[] = [
	{ id: 'bourse', label: { fr: 'Bourse', en: 'Trading' }, order: 0 },
	{ id: 'bourse.ordres', parent: 'bourse', label: { fr: 'Ordres', en: 'Orders' }, order: 0 }
];

/** Makes `doc` the Acme centre (one floor, Bourse), founded by `founder`. */
export function initAcmeCentre(
	doc: Y.Doc,
	founder: AgentIdentity,
	taxonomy: TaxonomyNode[] = BOURSE_TAXONOMY
): void {
	initCentre(
		doc,
		{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
		[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] }],
		taxonomy,
		[],
		[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
	);
}

export interface SyncDevice {
	id: string;
	identity: AgentIdentity;
	repo: Repo;
	storage: MemoryStorage;
	sync: Synchronizer;
	net: MemoryNetworkAdapter;
	/** The reasons of the messages it refused. */
	rejected: string[];
}

const devices: SyncDevice[] = [];

/** An honest device on the memory network, as the app wires it: publications judged by `rights`,
 *  or by the roles of the centre document `rights.centre`. `destroyDevices` ends it. */
export function syncDevice(
	hub: MemoryHub,
	id: string,
	identity: AgentIdentity,
	rights: PublishRights | { centre: string }
): SyncDevice {
	const storage = new MemoryStorage();
	const repo = new Repo({ storage });
	const net = hub.join(id);
	const publishRights =
		typeof rights === 'function' ? rights : rolePublishRights(() => repo.opened(rights.centre));
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId, { publishRights }),
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	const device = { id, identity, repo, storage, sync, net, rejected };
	devices.push(device);
	return device;
}

/** Ends every device `syncDevice` made (for afterEach). */
export async function destroyDevices(): Promise<void> {
	for (const d of devices.splice(0).reverse()) {
		d.sync.destroy();
		await d.net.destroy();
		await d.repo.destroy();
	}
}

/** `signer`'s 60-day interval for Bourse's procedures in Acme, and a forgery of it: the days
 *  changed to 7 after signing. */
export async function forgedInterval(
	signer: AgentIdentity
): Promise<{ real: ReviewIntervalRecord; forged: ReviewIntervalRecord }> {
	const real = await signInterval(signer, {
		centre: 'acme',
		topic: 'bourse',
		kind: 'procedure',
		days: 60,
		signerName: 'Eve',
		time: Date.now()
	});
	return { real, forged: { ...real, days: 7 } };
}
