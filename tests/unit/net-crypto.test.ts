// Centre key and payload encryption (src/lib/net/crypto.ts), with Node's WebCrypto; the device's
// sealing key; invite codes (src/lib/domain/codes.ts) and the one base 32 and base64 they share.
import { describe, expect, it } from 'vitest';
import {
	DecryptionError,
	decryptJson,
	decryptText,
	deriveCentreKey,
	encryptJson,
	encryptText,
	newSealingKey
} from '../../src/lib/net/crypto';
import {
	canonicalCrockford,
	crockford,
	formatInviteCode,
	InviteCodeError,
	MIN_SECRET_LENGTH,
	newCentreSecret,
	parseInviteCode,
	SECRET_ALPHABET
} from '../../src/lib/domain/codes';
import { fromBase64, toBase64 } from '../../src/lib/domain/base64';

const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';

/** The rejection of `promise`, which must be a DecryptionError. */
async function decryptionFailure(promise: Promise<unknown>): Promise<DecryptionError> {
	const error = await promise.then(
		(value) => {
			throw new Error(`expected a DecryptionError, decrypted ${JSON.stringify(value)}`);
		},
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DecryptionError);
	return error as DecryptionError;
}

function inviteError(code: string): InviteCodeError {
	try {
		parseInviteCode(code);
	} catch (e) {
		expect(e).toBeInstanceOf(InviteCodeError);
		expect(e).toBeInstanceOf(Error);
		return e as InviteCodeError;
	}
	throw new Error(`expected ${JSON.stringify(code)} to be refused`);
}

describe('centre key and payload encryption', () => {
	it('round-trips JSON values, with a fresh IV each time', async () => {
		const key = await deriveCentreKey(SECRET, 'acme-lyon');
		const value = { type: 'announce', peer: 'p1', text: 'Carte avalée — café ☕', n: [1, 2.5, null, true] };
		const a = await encryptJson(key, value);
		const b = await encryptJson(key, value);
		expect(a).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
		expect(a).not.toBe(b);
		expect(a).not.toContain('announce');
		expect(await decryptJson(key, a)).toEqual(value);
		expect(await decryptJson(key, b)).toEqual(value);
		for (const v of ['text', 0, null, [], {}])
			expect(await decryptJson(key, await encryptJson(key, v))).toEqual(v);
		// A second derivation of the same centre gives the same key (another device of the centre).
		expect(await decryptJson(await deriveCentreKey(SECRET, 'acme-lyon'), a)).toEqual(value);
	});

	it('a large payload round-trips', async () => {
		const key = await deriveCentreKey(SECRET, 'acme-lyon');
		const big = { sdp: 'x'.repeat(200_000) + 'é'.repeat(1000) };
		expect(await decryptJson(key, await encryptJson(key, big))).toEqual(big);
	});

	it('a wrong secret or another centre id cannot decrypt', async () => {
		const key = await deriveCentreKey(SECRET, 'acme-lyon');
		const text = await encryptJson(key, { hello: 'floor' });
		const wrongSecret = await deriveCentreKey(newCentreSecret(), 'acme-lyon');
		const otherCentre = await deriveCentreKey(SECRET, 'acme-paris');
		for (const k of [wrongSecret, otherCentre]) {
			const e = await decryptionFailure(decryptJson(k, text));
			expect(e.reason).toBe('authentication');
			expect(e.message).toMatch(/wrong centre secret/);
		}
	});

	it('refuses tampered, truncated and non-base64 input with a DecryptionError, never anything else', async () => {
		const key = await deriveCentreKey(SECRET, 'acme-lyon');
		const text = await encryptJson(key, { hello: 'floor' });
		const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
		const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
		// A flipped bit in the IV, the ciphertext and the tag.
		for (const at of [0, 14, bytes.length - 1]) {
			const tampered = bytes.slice();
			tampered[at]! ^= 0x01;
			expect((await decryptionFailure(decryptJson(key, b64(tampered)))).reason).toBe('authentication');
		}
		// Cut short: still long enough to try (authentication fails), or shorter than IV + tag.
		expect((await decryptionFailure(decryptJson(key, b64(bytes.subarray(0, bytes.length - 3))))).reason).toBe(
			'authentication'
		);
		expect((await decryptionFailure(decryptJson(key, b64(bytes.subarray(0, 20))))).reason).toBe('truncated');
		expect((await decryptionFailure(decryptJson(key, ''))).reason).toBe('truncated');
		for (const junk of ['not base64!', text.slice(0, -1), `${text}\n`, 'é'])
			expect((await decryptionFailure(decryptJson(key, junk))).reason).toBe('format');
		for (const junk of [undefined, null, 42, { data: text }])
			expect((await decryptionFailure(decryptJson(key, junk as unknown as string))).reason).toBe('format');
	});

	it('refuses to encrypt what JSON cannot represent, synchronously', async () => {
		const key = await deriveCentreKey(SECRET, 'acme-lyon');
		expect(() => encryptJson(key, undefined)).toThrow(TypeError);
		expect(() => encryptJson(key, { n: 1n })).toThrow(TypeError);
	});

	it('refuses an empty secret or centre id', async () => {
		await expect(deriveCentreKey('', 'acme')).rejects.toThrow(/secret is empty/);
		await expect(deriveCentreKey(SECRET, '')).rejects.toThrow(/centre id is empty/);
	});
});

describe('centre secrets and invite codes', () => {
	it('new secrets are long, random and from the invite alphabet', () => {
		const secrets = Array.from({ length: 50 }, newCentreSecret);
		expect(new Set(secrets).size).toBe(50);
		for (const s of secrets) {
			expect(s.length * Math.log2(SECRET_ALPHABET.length)).toBeGreaterThanOrEqual(128);
			expect([...s].every((c) => SECRET_ALPHABET.includes(c))).toBe(true);
		}
		expect(SECRET_ALPHABET).not.toMatch(/[ilou]/);
	});

	it('formats a code in groups of four and parses it back', () => {
		const code = formatInviteCode('acme-lyon', SECRET);
		expect(code).toBe('plateau:acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr');
		expect(parseInviteCode(code)).toEqual({ centreId: 'acme-lyon', secret: SECRET });
		const secret = newCentreSecret();
		expect(parseInviteCode(formatInviteCode('demo', secret))).toEqual({ centreId: 'demo', secret });
	});

	it('reads a code typed by hand: case, spaces, dashes and look-alike letters', () => {
		const typed = '  Plateau:ACME-Lyon:K3F9 2M7Q-8HXD-OPZ4 7TNC-VLWA-E5GR \n';
		expect(parseInviteCode(typed)).toEqual({ centreId: 'acme-lyon', secret: SECRET });
		// format() gives the canonical code of a secret in any accepted spelling.
		expect(formatInviteCode('acme-lyon', 'K3F9-2M7Q-8HXD-OPZ4-7TNC-VLWA-E5GR')).toBe(
			formatInviteCode('acme-lyon', SECRET)
		);
	});

	it('says clearly what is wrong with a bad code', () => {
		expect(inviteError('').reason).toBe('empty');
		expect(inviteError('   ').message).toMatch(/empty/);

		const prefix = inviteError('acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr');
		expect(prefix.reason).toBe('prefix');
		expect(prefix.message).toMatch(/starts with "plateau:"/);
		expect(inviteError('https://example.com/x').reason).toBe('prefix');

		const parts = inviteError('plateau:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr');
		expect(parts.reason).toBe('parts');
		expect(parts.message).toMatch(/three parts/);
		expect(inviteError('plateau:acme:k3f9-2m7q-8hxd-0pz4:extra').reason).toBe('parts');

		for (const id of ['acme_lyon', 'acme.lyon', '-acme', 'acme-', 'a'.repeat(65), 'acmé']) {
			const e = inviteError(`plateau:${id}:${SECRET}`);
			expect(e.reason).toBe('centre-id');
			expect(e.message).toMatch(/not a valid centre id/);
		}
		expect(inviteError(`plateau::${SECRET}`).message).toMatch(/no centre id/);

		const chars = inviteError('plateau:acme:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5g!-uu');
		expect(chars.reason).toBe('secret-characters');
		expect(chars.message).toContain('"!"');
		expect(chars.message).toContain('"u"');

		const short = inviteError('plateau:acme:k3f9-2m7q-8hxd');
		expect(short.reason).toBe('secret-length');
		expect(short.message).toMatch(new RegExp(`too short: 12 characters, at least ${MIN_SECRET_LENGTH}`));
		expect(inviteError('plateau:acme:').message).toMatch(/no secret/);
		// Exactly the minimum is accepted.
		expect(parseInviteCode(`plateau:acme:${SECRET.slice(0, MIN_SECRET_LENGTH)}`).secret).toHaveLength(
			MIN_SECRET_LENGTH
		);
	});

	it('formatInviteCode validates too, and an error never repeats the secret', () => {
		expect(() => formatInviteCode('Acme Lyon', SECRET)).toThrow(InviteCodeError);
		expect(() => formatInviteCode('acme', 'short')).toThrow(/too short/);
		const e = inviteError(`plateau:acme:${SECRET}!`);
		expect(e.message).not.toContain(SECRET);
	});
});

describe('device sealing key, base 32 and base64', () => {
	it('seals a secret under a key whose bytes cannot be read', async () => {
		const key = await newSealingKey();
		expect(key.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
		const sealed = await encryptText(key, SECRET);
		expect(sealed).not.toContain(SECRET);
		expect(atob(sealed)).not.toContain(SECRET);
		expect(await decryptText(key, sealed)).toBe(SECRET);
		await expect(decryptText(await newSealingKey(), sealed)).rejects.toBeInstanceOf(DecryptionError);
	});

	it('encodes bits in Crockford base 32 and reads typed codes forgivingly', () => {
		expect(crockford(new Uint8Array([0xff, 0xff]), 3)).toBe('zzz');
		expect(crockford(new Uint8Array([0b00001000, 0b01000000]), 3)).toBe('110');
		expect(canonicalCrockford(' Ab-Cd oIl ')).toBe('abcd011');
	});

	it('round-trips base64 (lib0) and refuses text that is not base64', () => {
		const bytes = new Uint8Array(70_000).map((_, i) => i * 7);
		expect(fromBase64(toBase64(bytes))).toEqual(bytes);
		expect(fromBase64('AQL/')).toEqual(new Uint8Array([1, 2, 255]));
		for (const bad of ['abc', 'a!==', 'AQL/=', '====x'] as const) expect(fromBase64(bad)).toBeUndefined();
	});
});
