// Signed entries of guarded documents (repo/sync-signed-entry.ts): a signature binds the document,
// the update and the signer's key chain; an entry's hash does not depend on who signed it; a
// snapshot covers an entry only when it holds all of it (sync-log.ts).
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	endorseDevice,
	generateIdentity,
	newDeviceKey,
	identityFromChain
} from '../../src/lib/repo/identity';
import { Coverage } from '../../src/lib/repo/sync-log';
import {
	ChainCache,
	decodeEntry,
	encodeEntry,
	entryHash,
	signEntry,
	verifyEntry
} from '../../src/lib/repo/sync-signed-entry';

describe('signed entries', () => {
	it('verify for their signer, and fail once the update, document, kind, chain or signature changes', async () => {
		const alice = await generateIdentity();
		const mallory = await generateIdentity();
		const chains = new ChainCache();
		const e = await signEntry(alice, 0, 'note/a.b', new Uint8Array([1, 2, 3]));
		expect((await verifyEntry(e, chains))?.agentId).toBe(alice.agentId);
		expect(decodeEntry(encodeEntry(e))).toEqual(e);
		for (const bad of [
			{ ...e, update: new Uint8Array([1, 2, 4]) },
			{ ...e, docId: 'note/a.c' },
			{ ...e, kind: 1 },
			{ ...e, chain: mallory.publicKey },
			{ ...e, signature: e.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) }
		])
			expect(await verifyEntry(bad, chains)).toBeUndefined();
	});

	it('from a paired device verify as the agent; one chain endorsing a foreign key proves nothing of the key’s owner', async () => {
		const alice = await generateIdentity();
		const device = await newDeviceKey();
		const phone = await identityFromChain(
			await endorseDevice(alice, device.publicKey),
			device.publicKey,
			device.privateKey
		);
		const e = await signEntry(phone, 0, 'note/a.b', new Uint8Array([7]));
		expect((await verifyEntry(e, new ChainCache()))?.agentId).toBe(alice.agentId);
		// Mallory endorses Alice's device key in her own chain: Alice's signature does not verify
		// under it, since the chain's hash is signed.
		const mallory = await generateIdentity();
		const stolen = { ...e, chain: await endorseDevice(mallory, device.publicKey) };
		expect(await verifyEntry(stolen, new ChainCache())).toBeUndefined();
	});

	it('have one hash whoever signed them', async () => {
		const [a, b] = [await generateIdentity(), await generateIdentity()];
		const update = new Uint8Array([5, 6]);
		const ea = await signEntry(a, 0, 'centre/x', update);
		const eb = await signEntry(b, 0, 'centre/x', update);
		expect(await entryHash(ea)).toBe(await entryHash(eb));
		expect(await entryHash(ea)).not.toBe(await entryHash({ ...ea, docId: 'centre/y' }));
		expect(await entryHash(ea)).not.toBe(await entryHash({ ...ea, kind: 1 }));
	});

	it('are covered by a snapshot holding all their inserts and deletes, not by an older one', () => {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		doc.getText('t').insert(0, 'abc');
		const early = new Coverage(Y.encodeStateAsUpdate(doc));
		doc.getText('t').delete(0, 1);
		doc.getText('t').insert(2, 'z');
		const late = new Coverage(Y.encodeStateAsUpdate(doc));
		for (const u of updates) expect(late.covers(u)).toBe(true);
		expect(early.covers(updates[0]!)).toBe(true);
		expect(early.covers(updates[1]!)).toBe(false); // a delete it lacks
		expect(early.covers(updates[2]!)).toBe(false); // an insert it lacks
		expect(late.covers(new Uint8Array([9, 9, 9]))).toBe(false);
	});
});
