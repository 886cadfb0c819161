// The fill half of `npm run bench -- governance` (issue 14: verifying 5,000 publication records on a
// fresh device's fill adds ≤ 20 % to the fill time measured in the same run without them). Two real
// hubs (createHub on FsStorage) hold the same PLATEAU_GOV_FILL_ARTICLES generated articles (5,000),
// one plain, one with each article published once (a signed record in its `revisions` map, by one
// of six experts, half of them publishing from a paired device: a key chain with an endorsement).
// A fresh Node peer (Repo on FsStorage, Synchronizer, hub socket over `ws`) is filled, round by
// round and interleaved: (a) from the plain hub, (b) from the published hub with every record
// verified (the centre's policy, rights from the centre document's signed role records, which the
// device holds as after joining), (c) from the published hub with records taken unverified (what
// the bytes alone cost). Each hub is filled once first, unmeasured, so rounds meet hubs holding
// their documents open.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import type { PublishRights } from '../../src/lib/domain/revision';
import { createHub, type Hub } from '../../src/lib/server/hub';
import { createHubLog } from '../../src/lib/server/hub-log';
import {
	endorseDevice,
	generateIdentity,
	identityFromChain,
	newDeviceKey,
	type AgentIdentity
} from '../../src/lib/repo/identity';
import { publishDraft } from '../../src/lib/repo/revisions';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import {
	grantGenesisAdministrator,
	initCentre,
	readArticleMeta,
	writeRoleRecord
} from '../../src/lib/schema/index';
import { rolePublishRights } from '../../src/lib/schema/publish-rights';
import { fillHubStore, fillNodePeer, FILL_SECRET, type FillRun } from './fill-node';

const TOPICS = ['compte.acces', 'bourse.ordres', 'technique.site'] as const;

/** A centre whose founder made six experts (two per topic), and their signing identities. */
export async function governedCentre(
	centreId: string
): Promise<{ centre: Y.Doc; publishers: AgentIdentity[] }> {
	const founder = await generateIdentity();
	const centre = new Y.Doc();
	initCentre(
		centre,
		{ id: centreId, name: { fr: 'Centre', en: 'Centre' } },
		[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] }],
		[],
		[],
		[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
	);
	await grantGenesisAdministrator(centre, founder);
	const publishers: AgentIdentity[] = [];
	for (let i = 0; i < 6; i++) {
		const agent = await generateIdentity();
		// Every other expert publishes from a second, paired device: its chain holds an endorsement.
		let signer = agent;
		if (i % 2) {
			const device = await newDeviceKey();
			signer = await identityFromChain(
				await endorseDevice(agent, device.publicKey),
				device.publicKey,
				device.privateKey
			);
		}
		await writeRoleRecord(centre, founder, {
			grantee: agent.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: TOPICS[i % TOPICS.length]! },
			action: 'grant'
		});
		publishers.push(signer);
	}
	return { centre, publishers };
}

export interface GovernanceFill {
	/** Wall time of each measured round, ms. */
	plain: number[];
	verified: number[];
	unverified: number[];
	/** CPU time of this process (the peer and the hub) during each round, ms: on a loaded machine
	 *  the wall clock mostly measures the others. */
	cpu: { plain: number[]; verified: number[]; unverified: number[] };
	rejected: number;
	bytes: { plain: number; published: number };
}

async function hubAt(dir: string, centreId: string): Promise<{ hub: Hub; server: Server; url: string }> {
	const server = createServer((_req, res) => res.end());
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const hub = await createHub({
		centreId,
		secret: FILL_SECRET,
		dataDir: dir,
		httpServer: server,
		log: createHubLog({ write: () => {} })
	});
	return { hub, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/hub` };
}

export async function governanceFill(opts: {
	dir: string;
	articles: number;
	rounds: number;
	timeoutMs: number;
	log: (line: string) => void;
}): Promise<GovernanceFill> {
	const centreId = `gov-${Date.now()}`;
	const { centre, publishers } = await governedCentre(centreId);
	const plainDir = join(opts.dir, 'plain');
	const publishedDir = join(opts.dir, 'published');
	const plain = await fillHubStore(plainDir, opts.articles);
	const topicOf = new Map<string, number>(TOPICS.map((t, i) => [t, i]));
	const published = await fillHubStore(publishedDir, opts.articles, async (doc, articleId, i) => {
		const topic = readArticleMeta(doc).node;
		// An expert of the article's topic: publishers i and i + 3 hold topic i.
		const expert = publishers[(topicOf.get(topic) ?? 0) + 3 * (i % 2)]!;
		await publishDraft(doc, articleId, expert, {
			note: 'Première publication',
			publisherName: 'Expert',
			time: 1
		});
	});
	opts.log(
		`governance: hub stores written, ${opts.articles} articles, ${(plain.bytes / 1e6).toFixed(1)} MB plain, ${(published.bytes / 1e6).toFixed(1)} MB published`
	);
	const rights: PublishRights = rolePublishRights(() => centre);
	const verifying = (agentId: string) => new CentreSharePolicy(agentId, { publishRights: rights });
	// The same policy with the records' check left out: what the larger documents alone cost.
	const trusting = (agentId: string) => {
		const policy = new CentreSharePolicy(agentId, { publishRights: rights });
		policy.verifyBuilt = () => undefined;
		return policy;
	};
	const a = await hubAt(plainDir, centreId);
	const b = await hubAt(publishedDir, centreId);
	const out: GovernanceFill = {
		plain: [],
		verified: [],
		unverified: [],
		cpu: { plain: [], verified: [], unverified: [] },
		rejected: 0,
		bytes: { plain: plain.bytes, published: published.bytes }
	};
	const count = opts.articles + 1; // and the catalog
	let n = 0;
	const fill = async (url: string, policy?: typeof verifying): Promise<FillRun & { cpuMs: number }> => {
		const cpu0 = process.cpuUsage();
		const run = await fillNodePeer({
			url,
			centreId,
			dir: join(opts.dir, `peer-${n++}`),
			count,
			timeoutMs: opts.timeoutMs,
			policy
		});
		if (!run.reached)
			throw new Error(`fill incomplete: ${run.stored} of ${count} stored, ${run.rejected} refused`);
		out.rejected += run.rejected;
		const cpu = process.cpuUsage(cpu0);
		return { ...run, cpuMs: (cpu.user + cpu.system) / 1000 };
	};
	try {
		await fill(a.url);
		await fill(b.url, verifying);
		for (let round = 0; round < opts.rounds; round++) {
			const x = await fill(a.url);
			const y = await fill(b.url, verifying);
			const z = await fill(b.url, trusting);
			out.plain.push(x.ms);
			out.verified.push(y.ms);
			out.unverified.push(z.ms);
			out.cpu.plain.push(x.cpuMs);
			out.cpu.verified.push(y.cpuMs);
			out.cpu.unverified.push(z.cpuMs);
			const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
			opts.log(
				`governance: fill round ${round + 1}: without records ${s(x.ms)} (CPU ${s(x.cpuMs)}), with records verified ${s(y.ms)} (CPU ${s(y.cpuMs)}), unverified ${s(z.ms)} (CPU ${s(z.cpuMs)}), load ${loadavg()[0]!.toFixed(1)}`
			);
		}
	} finally {
		for (const h of [a, b]) {
			await h.hub.destroy();
			h.server.closeAllConnections();
			h.server.close();
		}
	}
	return out;
}
