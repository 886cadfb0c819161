// The roles the UI works with (state/roles.svelte.ts) in Chromium's WebCrypto: the founder's device
// signs the genesis record a creation flow left out, an administrator's grant and revocation show at
// once, a demo role exists only in the demo centre, and a peer's record arriving later is verified
// and shown.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import { generateIdentity } from '../../src/lib/repo/identity';
import { initCentre, markDemoRoles, writeRoleRecord } from '../../src/lib/schema/index';
import { RolesState } from '../../src/lib/state/roles.svelte';

const states: RolesState[] = [];
afterEach(() => {
	for (const s of states.splice(0)) s.destroy();
});

async function founded() {
	const founder = await generateIdentity();
	const doc = new Y.Doc();
	initCentre(
		doc,
		{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
		[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] }],
		[{ id: 'bourse', label: { fr: 'Bourse', en: 'Trading' }, order: 0 }],
		[],
		[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
	);
	return { founder, doc };
}

describe('RolesState', () => {
	it('signs the founder’s missing genesis record; grants and revocations show at once', async () => {
		const { founder, doc } = await founded();
		const state = new RolesState(doc, founder.agentId, founder);
		states.push(state);
		await state.refresh();
		expect(state.mayGrant).toBe(true);
		expect(state.roles!.administersCentre(founder.agentId)).toBe(true);
		expect(doc.getMap('roles').size).toBe(1);
		await state.grant('agent-bob', 'expert', { kind: 'topic', topic: 'bourse' });
		expect(state.roles!.mayPublish('agent-bob', 'bourse')).toBe(true);
		await state.revoke(state.roles!.rolesOf('agent-bob')[0]!);
		expect(state.roles!.mayPublish('agent-bob', 'bourse')).toBe(false);
		await expect(state.tryDemoRole('expert', { kind: 'topic', topic: 'bourse' })).rejects.toThrow(/demo/);
	});

	it('in the demo centre, lets this agent take a role; a colleague’s device sees the record once verified', async () => {
		const { founder, doc } = await founded();
		markDemoRoles(doc);
		const agent = await generateIdentity();
		const state = new RolesState(doc, agent.agentId, agent);
		states.push(state);
		await state.refresh();
		expect(state.mayGrant).toBe(false);
		await state.tryDemoRole('knowledge-manager', { kind: 'centre' });
		expect(state.roles!.mayPublish(agent.agentId, 'bourse')).toBe(true);
		expect(state.roles!.rolesOf(agent.agentId)[0]!.demo).toBe(true);
		// Another device's copy, the record arriving as a peer's update.
		const copy = new Y.Doc();
		const other = new RolesState(copy, founder.agentId, undefined);
		states.push(other);
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		await other.refresh();
		expect(other.roles!.mayPublish(agent.agentId, 'bourse')).toBe(true);
		await writeRoleRecord(doc, founder, {
			grantee: 'agent-x',
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'grant'
		});
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		await other.refresh();
		// The founder's genesis was never signed here: its grant counts for nobody.
		expect(other.roles!.mayPublish('agent-x', 'bourse')).toBe(false);
		expect(other.roles!.ignored.some((f) => /not an administrator/.test(f.reason))).toBe(true);
	});
});
