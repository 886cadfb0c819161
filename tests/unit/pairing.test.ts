// Device pairing by code: the right code brings the identity and profile across, encrypted under a
// key only the code gives; a malformed, wrong, expired or used code fails with its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { decryptJson } from '../../src/lib/net/crypto';
import {
	derivePairingKey,
	formatPairingCode,
	newPairingCode,
	parsePairingCode,
	PairingError
} from '../../src/lib/net/pairing';
import { fromBase64 } from '../../src/lib/domain/base64';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
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
	it('receives the identity and profile with the right code, and nobody without the code can read them', async () => {
		const h = hub();
		const identity = await generateIdentity();
		const offer = new PairingOffer(h.open(), identity, () => profile(identity), 'demo');
		offers.push(offer);
		const got = await requestPairing(h.open(), offer.code.toLowerCase(), 'demo');
		expect(got.identity.agentId).toBe(identity.agentId);
		expect(got.profile?.name).toBe('Alice Martin');
		expect(offer.status).toBe('paired');
		// What crossed the channel: the answer opens only with the code's key.
		const answer = h.seen.find((m) => (m as { type: string }).type === 'pair-answer') as {
			id: string;
			sealed: string;
		};
		expect(answer.sealed).not.toContain(identity.agentId);
		const wrong = await derivePairingKey('ZZZZ-ZZZZ', fromBase64(answer.id)!, 'demo');
		await expect(decryptJson(wrong, answer.sealed)).rejects.toThrow();
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
		await new Promise((r) => setTimeout(r, 20));
		expect(offer.status).toBe('expired');
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
