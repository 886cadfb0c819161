// Device pairing by code: with the right code the new device gets its own key endorsed into the
// agent's key chain, and the profile, encrypted under a key only the code gives — no private key
// crosses; a malformed, wrong, expired or used code fails with its reason.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decryptJson } from '../../src/lib/net/crypto';
import { derivePairingKey, pairingAnswer } from '../../src/lib/net/pairing';
import {
	formatPairingCode,
	newPairingCode,
	parsePairingCode,
	PairingError
} from '../../src/lib/domain/codes';
import { fromBase64, toBase64 } from '../../src/lib/domain/base64';
import {
	generateIdentity,
	newNonce,
	proveHello,
	verifyHello,
	type AgentIdentity
} from '../../src/lib/repo/identity';
import { PairingOffer, requestPairing } from '../../src/lib/state/pairing.svelte';
import type { PairingChannel } from '../../src/lib/state/sync-session.svelte';

/** Every channel opened on one hub hears what the others send (as a signaling topic does). */
function hub() {
	const all = new Set<{ listeners: Set<(m: unknown) => void> }>();
	const seen: unknown[] = [];
	return {
		seen,
		open(): PairingChannel {
			const me = { listeners: new Set<(m: unknown) => void>() };
			all.add(me);
			return {
				send: async (m) => {
					seen.push(m);
					const copy = JSON.parse(JSON.stringify(m)) as unknown;
					for (const other of all) if (other !== me) for (const l of other.listeners) l(copy);
					return true;
				},
				onMessage: (l) => (me.listeners.add(l), () => me.listeners.delete(l)),
				close: () => all.delete(me)
			};
		}
	};
}

const offers: PairingOffer[] = [];
afterEach(() => offers.splice(0).forEach((o) => o.destroy()));

const profile = (identity: AgentIdentity) => ({
	id: identity.agentId,
	name: 'Alice Martin',
	floor: 'bourse',
	languages: ['fr' as const],
	skills: [],
	availability: 'available' as const
});

describe('pairing codes', () => {
	it('are 8 characters in two groups, read forgivingly', () => {
		const code = newPairingCode();
		expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
		expect(parsePairingCode(code.toLowerCase().replace('-', ' '))).toBe(code.replace('-', '').toLowerCase());
		expect(parsePairingCode('O0IL-1234')).toBe('00111234');
		expect(formatPairingCode('abcd1234')).toBe('ABCD-1234');
		expect(() => parsePairingCode('ABC')).toThrow(PairingError);
		expect(() => parsePairingCode('ABCD-123U')).toThrow(/8 letters and digits/);
	});
});

describe('pairing a second device', () => {
	it('gives the new device its own endorsed key and the profile with the right code; no private key crosses, and nobody without the code can read the answer', async () => {
		const h = hub();
		const identity = await generateIdentity();
		const offer = new PairingOffer(h.open(), identity, () => profile(identity), 'demo');
		offers.push(offer);
		const got = await requestPairing(h.open(), offer.code.toLowerCase(), 'demo');
		expect(got.identity.agentId).toBe(identity.agentId);
		expect(got.identity.privateKey).not.toBe(identity.privateKey);
		expect(got.identity.privateKey.extractable).toBe(false);
		expect(got.profile?.name).toBe('Alice Martin');
		expect(offer.status).toBe('paired');
		// The new device proves the agent's id in hello with its own key and key chain.
		const context = {
			binding: 'link',
			signerNonce: newNonce(),
			verifierNonce: newNonce(),
			signer: 'phone',
			verifier: 'peer'
		};
		const proof = await proveHello(got.identity, context);
		expect(await verifyHello(identity.agentId, toBase64(got.identity.publicKey), proof, context)).toBe(true);
		// What crossed the channel: the answer opens only with the code's key, and holds a key chain
		// and the profile — no private key (a JWK's `d`) anywhere.
		const answer = h.seen.find((m) => (m as { type: string }).type === 'pair-answer') as {
			id: string;
			sealed: string;
		};
		expect(answer.sealed).not.toContain(identity.agentId);
		const wrong = await derivePairingKey('ZZZZ-ZZZZ', fromBase64(answer.id)!, 'demo');
		await expect(decryptJson(wrong, answer.sealed)).rejects.toThrow();
		const right = await derivePairingKey(offer.code, fromBase64(answer.id)!, 'demo');
		const content = (await decryptJson(right, answer.sealed)) as Record<string, unknown>;
		expect(Object.keys(content).sort()).toEqual(['chain', 'profile', 'status']);
		expect(JSON.stringify(content)).not.toMatch(/"d"|"kty"|privateKey/);
	});

	it('an answer endorsing another device’s key is refused', async () => {
		const h = hub();
		const identity = await generateIdentity();
		// A device that answers with a chain for a key other than the one the request carried.
		const offer = new PairingOffer(h.open(), identity, () => null, 'demo');
		offers.push(offer);
		const channel = h.open();
		const tampering: PairingChannel = {
			...channel,
			onMessage: (l) =>
				channel.onMessage(async (m) => {
					const answer = m as { type: string; id: string; sealed: string };
					if (answer.type !== 'pair-answer') return l(m);
					const key = await derivePairingKey(offer.code, fromBase64(answer.id)!, 'demo');
					const content = (await decryptJson(key, answer.sealed)) as { chain: string };
					const other = await generateIdentity(); // a chain that ends with someone else's key
					content.chain = toBase64(other.publicKey);
					l(await pairingAnswer(answer.id, key, content));
				})
		};
		await expect(requestPairing(tampering, offer.code, 'demo')).rejects.toMatchObject({ reason: 'invalid' });
	});

	it('a code is used once', async () => {
		const h = hub();
		const identity = await generateIdentity();
		const offer = new PairingOffer(h.open(), identity, () => null, 'demo');
		offers.push(offer);
		await requestPairing(h.open(), offer.code, 'demo');
		await expect(requestPairing(h.open(), offer.code, 'demo')).rejects.toMatchObject({ reason: 'used' });
	});

	it('an expired code is refused as expired', async () => {
		const h = hub();
		const offer = new PairingOffer(h.open(), await generateIdentity(), () => null, 'demo', { ttlMs: 1 });
		offers.push(offer);
		await vi.waitFor(() => expect(offer.status).toBe('expired'));
		await expect(requestPairing(h.open(), offer.code, 'demo')).rejects.toMatchObject({ reason: 'expired' });
	});

	it('a wrong code gets no answer and says so; a code of another centre is a wrong code', async () => {
		const h = hub();
		const offer = new PairingOffer(h.open(), await generateIdentity(), () => null, 'demo');
		offers.push(offer);
		const wrong = offer.code.startsWith('A') ? 'BBBB-BBBB' : 'AAAA-AAAA';
		await expect(requestPairing(h.open(), wrong, 'demo', { timeoutMs: 500 })).rejects.toMatchObject({
			reason: 'no-answer'
		});
		await expect(
			requestPairing(h.open(), offer.code, 'other-centre', { timeoutMs: 500 })
		).rejects.toMatchObject({ reason: 'no-answer' });
		expect(offer.status).toBe('waiting');
		await expect(requestPairing(h.open(), 'ABC-DEF', 'demo')).rejects.toMatchObject({ reason: 'format' });
	});
});
