// Lifecycle records between real Repos and Synchronizers over the memory network: an agent asks for
// a review and the expert verifies, both reach every peer; an agent without the role who archives
// or deletes with the real code on its own device, or who sets the old plain status field by hand,
// is refused by the other peers — not applied, not stored — and the session goes on.
import { afterEach, describe, expect, it } from 'vitest';
import type { PublishRights } from '../../src/lib/domain/revision';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { recordTransition } from '../../src/lib/repo/lifecycle';
import { Repo } from '../../src/lib/repo/repo';
import { publishDraft } from '../../src/lib/repo/revisions';
import {
	articleEntry,
	initArticle,
	readArticleMeta,
	readLifecycleRecords,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { destroyDevices, procedureMeta, syncDevice, type SyncDevice } from '../support/governance-fixtures';
import { settle } from './rogue-kit';

const ARTICLE = 'article/ordre-rejete';
const meta = procedureMeta();

afterEach(destroyDevices);

/** What the device's storage holds, read by a fresh Repo: the status and the record actions. */
async function stored(d: SyncDevice): Promise<{ status: string; meta: string; actions: string[] }> {
	const doc = (await new Repo({ storage: d.storage }).find(ARTICLE))!;
	return {
		status: articleEntry(ARTICLE, doc).status,
		meta: readArticleMeta(doc).status,
		actions: readLifecycleRecords(doc)
			.sort((a, b) => a.time - b.time)
			.map((r) => r.action)
	};
}

describe('lifecycle between peers', () => {
	it('a review asked and verified reaches everyone; an agent’s archive, delete or raw status change is refused', async () => {
		const [expert, reader, agent, other, third] = await Promise.all(
			[1, 2, 3, 4, 5].map(() => generateIdentity())
		);
		const rights: PublishRights = (who, topic) => who === expert!.agentId && topic === 'bourse-ordres';
		const hub = new MemoryHub();
		const e = syncDevice(hub, 'expert', expert!, rights);
		const r = syncDevice(hub, 'reader', reader!, rights);
		const a = syncDevice(hub, 'agent', agent!, rights);
		// Two more agents without a role: a refused update leaves the sender's later ones waiting for
		// it on the receivers (Yjs holds them pending), so each crafted change comes from its own device.
		const b = syncDevice(hub, 'other', other!, rights);
		const c = syncDevice(hub, 'third', third!, rights);
		const all = [e, r, a, b, c];
		const doc = await e.repo.open(ARTICLE);
		initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }]);
		await publishDraft(doc, 'ordre-rejete', expert!, {
			note: 'v1',
			publisherName: 'Eve',
			time: Date.now() - 1000
		});
		await settle(...all);

		// The agent asks for a review; the expert verifies without changes.
		const agentDoc = await a.repo.open(ARTICLE);
		await recordTransition(agentDoc, 'ordre-rejete', agent!, {
			action: 'request-review',
			actorName: 'Alice'
		});
		await settle(...all);
		expect(articleEntry(ARTICLE, await e.repo.open(ARTICLE)).inReview).toBe(true);
		await recordTransition(doc, 'ordre-rejete', expert!, { action: 'verify', actorName: 'Eve' });
		await settle(...all);
		for (const d of all) {
			const line = articleEntry(ARTICLE, await d.repo.open(ARTICLE));
			expect(line.inReview).toBeUndefined();
			expect((await stored(d)).actions).toEqual(['request-review', 'verify']);
		}
		expect(r.rejected).toEqual([]);

		// Agents archive, delete, with the real code on their own devices, or set the old plain field
		// as a build from before lifecycle records would: refused by the others.
		await recordTransition(agentDoc, 'ordre-rejete', agent!, { action: 'archive', actorName: 'Alice' });
		await recordTransition(await b.repo.open(ARTICLE), 'ordre-rejete', other!, {
			action: 'delete',
			actorName: 'Bob'
		});
		updateArticleMeta(await c.repo.open(ARTICLE), { status: 'deleted', statusBefore: 'published' });
		await settle(...all);
		for (const peer of [e, r]) {
			const refused = (who: AgentIdentity, action: string) =>
				peer.rejected.some((m) =>
					m.includes(`${who.agentId} may not ${action} articles of topic bourse-ordres`)
				);
			expect(refused(agent!, 'archive')).toBe(true);
			expect(refused(other!, 'delete')).toBe(true);
			expect(
				peer.rejected.some((m) => m.includes('changes the article status outside a signed lifecycle record'))
			).toBe(true);
			expect(await stored(peer)).toEqual({
				status: 'published',
				meta: 'draft',
				actions: ['request-review', 'verify']
			});
		}

		// The honest session goes on: the expert archives, everyone (the agent too) sees it.
		await recordTransition(doc, 'ordre-rejete', expert!, { action: 'archive', actorName: 'Eve' });
		await settle(...all);
		expect((await stored(r)).status).toBe('archived');
		expect((await stored(r)).actions).toEqual(['request-review', 'verify', 'archive']);
		expect(
			readLifecycleRecords(agentDoc).some((x) => x.actor === expert!.agentId && x.action === 'archive')
		).toBe(true);
	});
});
