// Agent identity keys: the agent id is the public key's, an identity survives export and import,
// a damaged or mismatched one is refused, and a hello proof binds the connection (channel binding),
// both nonces, the key and both peers.
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/lib/domain/base64';
import {
	agentIdOf,
	exportIdentity,
	generateIdentity,
	IdentityError,
	importIdentity,
	newNonce,
	proveHello,
	verifyHello,
	type HelloContext
} from '../../src/lib/repo/identity';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '../../src/lib/repo/sync-protocol';

/** One connection as both ends see it. */
function connection(): HelloContext {
	return {
		binding: 'link-1',
		signerNonce: newNonce(),
		verifierNonce: newNonce(),
		signer: 'p1',
		verifier: 'p2'
	};
}

describe('agent identity', () => {
	it('derives the agent id from the public key', async () => {
		const id = await generateIdentity();
		expect(id.agentId).toMatch(/^agent-[0-9a-hjkmnp-tv-z]{24}$/);
		expect(await agentIdOf(id.publicKey)).toBe(id.agentId);
		expect((await generateIdentity()).agentId).not.toBe(id.agentId);
	});

	it('exports and imports an identity that still signs for the same id', async () => {
		const id = await generateIdentity();
		const copy = await importIdentity(JSON.parse(JSON.stringify(await exportIdentity(id))));
		expect(copy.agentId).toBe(id.agentId);
		const context = connection();
		expect(
			await verifyHello(id.agentId, toBase64(id.publicKey), await proveHello(copy, context), context)
		).toBe(true);
	});

	it('refuses an identity whose id, public key or private key do not match', async () => {
		const a = await exportIdentity(await generateIdentity());
		const b = await exportIdentity(await generateIdentity());
		await expect(importIdentity({ ...a, agentId: b.agentId })).rejects.toThrow(/not the public key/);
		await expect(importIdentity({ ...a, privateKey: b.privateKey })).rejects.toThrow(/does not match/);
		await expect(importIdentity({ ...a, publicKey: 'abc' })).rejects.toThrow(IdentityError);
		await expect(importIdentity({ ...a, privateKey: { kty: 'EC' } })).rejects.toThrow(/private key/);
		await expect(importIdentity(null)).rejects.toThrow(IdentityError);
	});

	it('a hello proof holds only for its connection, its nonces, its key’s id and its two peers', async () => {
		const id = await generateIdentity();
		const other = await generateIdentity();
		const key = toBase64(id.publicKey);
		const c = connection();
		const proof = await proveHello(id, c);
		expect(await verifyHello(id.agentId, key, proof, c)).toBe(true);
		// Another connection (a relay's second link), other nonces, other peers: refused.
		for (const change of [
			{ binding: 'another-link' },
			{ signerNonce: newNonce() },
			{ verifierNonce: newNonce() },
			{ signer: 'someone-else' },
			{ verifier: 'someone-else' },
			// Roles swapped: the verifier's own proof replayed back to it.
			{ signer: c.verifier, verifier: c.signer, signerNonce: c.verifierNonce, verifierNonce: c.signerNonce }
		] satisfies Partial<HelloContext>[])
			expect(await verifyHello(id.agentId, key, proof, { ...c, ...change })).toBe(false);
		expect(await verifyHello(other.agentId, key, proof, c)).toBe(false);
		expect(await verifyHello(other.agentId, toBase64(other.publicKey), proof, c)).toBe(false);
		expect(await verifyHello(id.agentId, 'not base64!', proof, c)).toBe(false);
	});

	it('carries key, nonce and proof on the wire, and refuses malformed ones', () => {
		const hello = {
			protocol: PROTOCOL_VERSION,
			agentId: 'agent-a',
			floor: 'bourse',
			spaces: ['kb'],
			key: 'AAAA',
			nonce: 'n'.repeat(24)
		};
		expect(decodeMessage(encodeMessage({ type: 'hello', hello }))).toEqual({ type: 'hello', hello });
		const proof = { type: 'proof' as const, signature: new Uint8Array([1, 2, 3]) };
		expect(decodeMessage(encodeMessage(proof))).toEqual(proof);
		expect(() =>
			decodeMessage(encodeMessage({ type: 'hello', hello: { ...hello, nonce: 'short' } }))
		).toThrow(/bad nonce/);
		expect(() => decodeMessage(encodeMessage({ type: 'proof', signature: new Uint8Array(300) }))).toThrow(
			/too long/
		);
		// `verified` is decided locally, never taken from the wire.
		expect(decodeMessage(encodeMessage({ type: 'hello', hello: { ...hello, verified: true } }))).toEqual({
			type: 'hello',
			hello
		});
	});
});
