// Agent identity keys: the agent id is the agent key's; every device key is generated (or migrated)
// not extractable; a paired device proves the agent's id with its own key through an endorsement
// chain that cannot be forged, tampered with or grown past its limit; a hello proof binds nonce,
// key chain, the connection's channel binding and both peers.
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/lib/domain/base64';
import {
	agentIdOf,
	endorseDevice,
	generateIdentity,
	IdentityError,
	identityFromChain,
	importIdentity,
	MAX_ENDORSEMENTS,
	MAX_KEY_CHAIN_TEXT,
	newDeviceKey,
	newNonce,
	proveHello,
	provingKeyOf,
	restoreIdentity,
	storedIdentity,
	verifyHello,
	type AgentIdentity,
	type HelloContext
} from '../../src/lib/repo/identity';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '../../src/lib/repo/sync-protocol';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A legacy identity as older versions kept it in localStorage: an extractable key as JWK. */
async function legacyExport() {
	const pair = (await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
	const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
	return {
		agentId: await agentIdOf(publicKey),
		publicKey: toBase64(publicKey),
		privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey)
	};
}

async function paired(by: AgentIdentity): Promise<AgentIdentity> {
	const device = await newDeviceKey();
	return identityFromChain(await endorseDevice(by, device.publicKey), device.publicKey, device.privateKey);
}

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

async function proves(identity: AgentIdentity, chain = toBase64(identity.publicKey)): Promise<boolean> {
	const context = connection();
	return verifyHello(identity.agentId, chain, await proveHello(identity, context), context);
}

describe('agent identity', () => {
	it('derives the agent id from the agent key, and never lets the private key out', async () => {
		const id = await generateIdentity();
		expect(id.agentId).toMatch(/^agent-[0-9a-hjkmnp-tv-z]{24}$/);
		expect(await agentIdOf(id.publicKey)).toBe(id.agentId);
		expect((await generateIdentity()).agentId).not.toBe(id.agentId);
		expect(id.privateKey.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('jwk', id.privateKey)).rejects.toThrow();
		expect(await proves(id)).toBe(true);
	});

	it('is stored as a structured clone and restored, still signing for the same id', async () => {
		const id = await generateIdentity();
		const copy = await restoreIdentity(structuredClone(storedIdentity(id)));
		expect(copy.agentId).toBe(id.agentId);
		expect(copy.privateKey.extractable).toBe(false);
		expect(await proves(copy)).toBe(true);
		const other = await generateIdentity();
		await expect(restoreIdentity({ ...storedIdentity(id), privateKey: other.privateKey })).rejects.toThrow(
			/does not match/
		);
		await expect(restoreIdentity({ ...storedIdentity(id), agentId: other.agentId })).rejects.toThrow(
			IdentityError
		);
		await expect(restoreIdentity({ ...storedIdentity(id), chain: 'abc' })).rejects.toThrow(IdentityError);
		await expect(restoreIdentity(null)).rejects.toThrow(IdentityError);
	});

	it('migrates a legacy JSON identity into a key that can no longer be exported', async () => {
		const legacy = await legacyExport();
		const id = await importIdentity(JSON.parse(JSON.stringify(legacy)));
		expect(id.agentId).toBe(legacy.agentId);
		expect(id.privateKey.extractable).toBe(false);
		expect(await proves(id)).toBe(true);
		const other = await legacyExport();
		await expect(importIdentity({ ...legacy, agentId: other.agentId })).rejects.toThrow(/not the public key/);
		await expect(importIdentity({ ...legacy, privateKey: other.privateKey })).rejects.toThrow(
			/does not match/
		);
		await expect(importIdentity({ ...legacy, publicKey: 'abc' })).rejects.toThrow(IdentityError);
		await expect(importIdentity({ ...legacy, privateKey: { kty: 'EC' } })).rejects.toThrow(/private key/);
	});

	it('a device endorsed by the agent (directly or through another device) proves the agent id with its own key', async () => {
		const first = await generateIdentity();
		const second = await paired(first);
		const third = await paired(second);
		for (const device of [second, third]) {
			expect(device.agentId).toBe(first.agentId);
			expect(await proves(device)).toBe(true);
		}
		expect(second.publicKey.length).toBe(65 + 129);
		expect(third.publicKey.length).toBe(65 + 2 * 129);
		// The chain's last key is the device's: another device's key cannot use it.
		expect(await proves(first, toBase64(second.publicKey))).toBe(false);
		expect(await provingKeyOf(first.agentId, second.publicKey)).toEqual(second.publicKey.subarray(65, 130));
	});

	it('refuses a forged, tampered or over-long key chain', async () => {
		const agent = await generateIdentity();
		const stranger = await generateIdentity();
		const device = await newDeviceKey();
		// Endorsed by a stranger's key, but presented under the agent's id.
		const forged = await endorseDevice(stranger, device.publicKey);
		forged.set(agent.publicKey, 0);
		expect(await provingKeyOf(agent.agentId, forged)).toBeUndefined();
		await expect(identityFromChain(forged, device.publicKey, device.privateKey)).rejects.toThrow(
			IdentityError
		);
		// One bit flipped in the endorsed key or the signature.
		const chain = await endorseDevice(agent, device.publicKey);
		for (const at of [70, chain.length - 1]) {
			const bad = chain.slice();
			bad[at]! ^= 1;
			expect(await provingKeyOf(agent.agentId, bad)).toBeUndefined();
		}
		expect(await provingKeyOf(agent.agentId, chain.subarray(0, chain.length - 1))).toBeUndefined();
		// A chain ending with another device's key is not this device's identity.
		const other = await newDeviceKey();
		await expect(identityFromChain(chain, other.publicKey, other.privateKey)).rejects.toThrow(
			/another device/
		);
		// Chains stop at MAX_ENDORSEMENTS, and the longest fits Hello.key.
		let last = agent;
		for (let i = 0; i < MAX_ENDORSEMENTS; i++) last = await paired(last);
		expect(toBase64(last.publicKey).length).toBe(MAX_KEY_CHAIN_TEXT);
		expect(await proves(last)).toBe(true);
		await expect(endorseDevice(last, (await newDeviceKey()).publicKey)).rejects.toThrow(/too many pairings/);
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

	it('carries key chain, nonce and proof on the wire, and refuses malformed ones', () => {
		const hello = {
			protocol: PROTOCOL_VERSION,
			agentId: 'agent-a',
			floor: 'bourse',
			spaces: ['kb'],
			key: 'A'.repeat(MAX_KEY_CHAIN_TEXT),
			nonce: 'n'.repeat(24)
		};
		expect(decodeMessage(encodeMessage({ type: 'hello', hello }))).toEqual({ type: 'hello', hello });
		expect(() =>
			decodeMessage(
				encodeMessage({ type: 'hello', hello: { ...hello, key: 'A'.repeat(MAX_KEY_CHAIN_TEXT + 4) } })
			)
		).toThrow(/bad key/);
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
