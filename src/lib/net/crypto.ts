// Encryption of signaling payloads with the centre key, and the invite code that carries the centre
// id and secret from one agent to another. Same approach as y-webrtc (PBKDF2 then AES-GCM, random IV,
// base64 on the wire), so the signaling server sees topic names and ciphertext only.
//
// WebCrypto only (`globalThis.crypto.subtle`): Node 20 and browsers. Browsers expose it only in a
// secure context (https, or http on localhost); Plateau served over plain http on a LAN address has
// no `crypto.subtle`, and deriveCentreKey says so.

import { fromBase64, toBase64 } from '../domain/base64';

/** PBKDF2 iterations, as y-webrtc. */
export const PBKDF2_ITERATIONS = 100_000;
const IV_BYTES = 12;
/** AES-GCM authentication tag appended by WebCrypto to every ciphertext. */
const TAG_BYTES = 16;

/**
 * A message that cannot be decrypted: wrong key (another centre, or a wrong secret), altered or
 * truncated ciphertext, or not ciphertext at all. Always a rejection of decryptJson, never thrown
 * anywhere else, so a receiver can count it and go on.
 */
export class DecryptionError extends Error {
	constructor(
		/** `format`: not base64 text; `truncated`: shorter than an IV and a tag; `authentication`:
		 *  wrong key or altered bytes; `json`: decrypted but not JSON (a sender bug). */
		readonly reason: 'format' | 'truncated' | 'authentication' | 'json',
		message: string
	) {
		super(message);
		this.name = 'DecryptionError';
	}
}

function subtle(): SubtleCrypto {
	const s = globalThis.crypto?.subtle;
	if (!s)
		throw new Error(
			'WebCrypto is not available: the browser only offers it on https or localhost pages. Open Plateau over https (or on localhost).'
		);
	return s;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The AES-GCM 256 key of a centre: PBKDF2-SHA256 over the secret, 100,000 iterations.
 *
 * The salt is `plateau/centre-key/v1/<centreId>` rather than y-webrtc's constant `'y-webrtc'`: two
 * centres that happen to share a secret still get different keys (one centre's messages never
 * decrypt in the other), and a guess of the secret has to be paid for per centre, not once for all.
 * The salt does not need to be secret, only distinct per centre; `v1` lets a later key scheme
 * coexist. Pass the canonical values from parseInviteCode / newCentreSecret: the derivation takes
 * the strings as given (no case folding), so `Acme` and `acme` are different centres.
 *
 * The key is not extractable and can only encrypt and decrypt.
 */
export async function deriveCentreKey(secret: string, centreId: string): Promise<CryptoKey> {
	if (typeof secret !== 'string' || secret.length === 0)
		throw new TypeError('deriveCentreKey: the secret is empty');
	if (typeof centreId !== 'string' || centreId.length === 0)
		throw new TypeError('deriveCentreKey: the centre id is empty');
	const s = subtle();
	const base = await s.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveKey']);
	return s.deriveKey(
		{
			name: 'PBKDF2',
			salt: encoder.encode(`plateau/centre-key/v1/${centreId}`),
			iterations: PBKDF2_ITERATIONS,
			hash: 'SHA-256'
		},
		base,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
}

/** Length of the base64 text encryptText produces for a plaintext of `plainBytes` UTF-8 bytes. */
export function encryptedLength(plainBytes: number): number {
	return 4 * Math.ceil((IV_BYTES + plainBytes + TAG_BYTES) / 3);
}

/** Encrypts text: base64 of a random 12-byte IV followed by the AES-GCM ciphertext and tag. */
export async function encryptText(key: CryptoKey, text: string): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(text)));
	const out = new Uint8Array(IV_BYTES + sealed.length);
	out.set(iv, 0);
	out.set(sealed, IV_BYTES);
	return toBase64(out);
}

/** Decrypts what encryptText produced. Rejects only with DecryptionError. */
export async function decryptText(key: CryptoKey, text: string): Promise<string> {
	if (typeof text !== 'string')
		throw new DecryptionError('format', 'Not an encrypted message: expected base64 text.');
	const bytes = fromBase64(text);
	if (!bytes) throw new DecryptionError('format', 'Not an encrypted message: the text is not base64.');
	if (bytes.length < IV_BYTES + TAG_BYTES)
		throw new DecryptionError(
			'truncated',
			`Encrypted message truncated: ${bytes.length} bytes, at least ${IV_BYTES + TAG_BYTES} expected.`
		);
	let plain: ArrayBuffer;
	try {
		plain = await subtle().decrypt(
			{ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) },
			key,
			bytes.subarray(IV_BYTES)
		);
	} catch {
		throw new DecryptionError(
			'authentication',
			'Could not decrypt: the message was encrypted with another centre key (wrong centre secret) or was altered.'
		);
	}
	try {
		return decoder.decode(plain);
	} catch {
		throw new DecryptionError('json', 'Decrypted message is not UTF-8 text.');
	}
}

/**
 * Encrypts any JSON value (see encryptText for the format). Throws a TypeError, before any
 * asynchronous work, for a value JSON cannot represent (undefined, a function, a BigInt, a cycle).
 */
export function encryptJson(key: CryptoKey, value: unknown): Promise<string> {
	const text = JSON.stringify(value) as string | undefined;
	if (text === undefined) throw new TypeError('encryptJson: the value has no JSON representation');
	return encryptText(key, text);
}

/** Decrypts and parses what encryptJson produced. Rejects only with DecryptionError. */
export async function decryptJson(key: CryptoKey, text: string): Promise<unknown> {
	const plain = await decryptText(key, text);
	try {
		return JSON.parse(plain) as unknown;
	} catch {
		throw new DecryptionError('json', 'Decrypted message is not JSON.');
	}
}

// ---------------------------------------------------------------------------------------------
// Invite codes: `plateau:<centre id>:<secret>`, e.g. `plateau:acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr`.
//
// The secret uses Crockford's base32 alphabet in lowercase (digits and letters without i, l, o, u):
// no two characters look or sound alike, so a code survives being read aloud over the phone or
// copied by hand. It is shown in dash-separated groups of four. Parsing is forgiving where it cannot
// be wrong: case, spaces and dashes inside the secret are ignored, and o / i / l are read as 0 / 1 / 1
// (Crockford's rule). The canonical secret (what parseInviteCode returns and deriveCentreKey takes)
// is lowercase with no separators.

export const INVITE_PREFIX = 'plateau';
export const SECRET_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Characters of a new secret: 28 × 5 bits = 140 bits of randomness. */
export const SECRET_LENGTH = 28;
export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 256;
const CENTRE_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const EXAMPLE = 'plateau:acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr';

/** Why an invite code was refused; `reason` lets the UI show the message in the agent's language. */
export class InviteCodeError extends Error {
	constructor(
		readonly reason: 'empty' | 'prefix' | 'parts' | 'centre-id' | 'secret-characters' | 'secret-length',
		message: string
	) {
		super(message);
		this.name = 'InviteCodeError';
	}
}

/** A new random centre secret: 28 characters of the invite alphabet (140 bits). */
export function newCentreSecret(): string {
	// 32 symbols: the low 5 bits of a random byte are uniform.
	const bytes = crypto.getRandomValues(new Uint8Array(SECRET_LENGTH));
	let out = '';
	for (const b of bytes) out += SECRET_ALPHABET[b & 31];
	return out;
}

function checkCentreId(id: string): string {
	if (id.length === 0)
		throw new InviteCodeError(
			'centre-id',
			`The invite code has no centre id. Expected a code like ${EXAMPLE}.`
		);
	if (!CENTRE_ID.test(id))
		throw new InviteCodeError(
			'centre-id',
			`"${id.slice(0, 70)}" is not a valid centre id: use lowercase letters a-z, digits and dashes (not first or last), at most 64 characters.`
		);
	return id;
}

/** The canonical form of a secret typed or pasted by a person. */
function canonicalSecret(raw: string): string {
	const secret = raw
		.toLowerCase()
		.replace(/[\s-]+/g, '')
		.replace(/o/g, '0')
		.replace(/[il]/g, '1');
	if (secret.length === 0)
		throw new InviteCodeError(
			'secret-length',
			`The invite code has no secret. Expected a code like ${EXAMPLE}.`
		);
	const bad = [...new Set([...secret].filter((c) => !SECRET_ALPHABET.includes(c)))];
	if (bad.length > 0)
		throw new InviteCodeError(
			'secret-characters',
			`The secret contains ${bad.length === 1 ? 'a character' : 'characters'} that never appear in an invite code: ${bad
				.slice(0, 8)
				.map((c) => JSON.stringify(c))
				.join(', ')}. Check the code for typos.`
		);
	if (secret.length < MIN_SECRET_LENGTH)
		throw new InviteCodeError(
			'secret-length',
			`The secret is too short: ${secret.length} characters, at least ${MIN_SECRET_LENGTH} are needed. Check that the whole code was copied.`
		);
	if (secret.length > MAX_SECRET_LENGTH)
		throw new InviteCodeError(
			'secret-length',
			`The secret is too long: at most ${MAX_SECRET_LENGTH} characters.`
		);
	return secret;
}

/** Reads an invite code. Throws an InviteCodeError that says what is wrong with it. */
export function parseInviteCode(code: string): { centreId: string; secret: string } {
	if (typeof code !== 'string' || code.trim().length === 0)
		throw new InviteCodeError('empty', `The invite code is empty. Paste the whole code, like ${EXAMPLE}.`);
	const parts = code.trim().toLowerCase().split(':');
	if (parts[0]!.trim() !== INVITE_PREFIX)
		throw new InviteCodeError(
			'prefix',
			`An invite code starts with "${INVITE_PREFIX}:". Check that the whole code was copied; it looks like ${EXAMPLE}.`
		);
	if (parts.length !== 3)
		throw new InviteCodeError(
			'parts',
			`An invite code has three parts separated by colons, "${INVITE_PREFIX}:<centre id>:<secret>", this one has ${parts.length}. It looks like ${EXAMPLE}.`
		);
	return { centreId: checkCentreId(parts[1]!.trim()), secret: canonicalSecret(parts[2]!) };
}

/** The invite code of a centre, its secret in groups of four for reading aloud. Throws an
 *  InviteCodeError for an invalid centre id or secret. */
export function formatInviteCode(centreId: string, secret: string): string {
	checkCentreId(centreId);
	const canonical = canonicalSecret(secret);
	const groups = canonical.match(/.{1,4}/g) ?? [];
	return `${INVITE_PREFIX}:${centreId}:${groups.join('-')}`;
}
