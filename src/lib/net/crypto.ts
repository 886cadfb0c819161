// Encryption of signaling payloads with the centre key (same approach as y-webrtc: PBKDF2 then
// AES-GCM, random IV, base64 on the wire, so the signaling server sees topic names and ciphertext
// only), and the device key that keeps the centre secret sealed at rest. Invite codes live in
// domain/codes.ts (re-exported here for older imports).
//
// WebCrypto only (domain/subtle.ts): Node 20 and browsers, in a secure context.

import { fromBase64, toBase64 } from '../domain/base64';
import { subtle } from '../domain/subtle';

export {
	formatInviteCode,
	INVITE_PREFIX,
	InviteCodeError,
	MIN_SECRET_LENGTH,
	newCentreSecret,
	parseInviteCode,
	SECRET_ALPHABET,
	SECRET_LENGTH
} from '../domain/codes';

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

/**
 * A new AES-GCM 256 key for sealing what a device keeps at rest (the centre secret). Not
 * extractable: stored in IndexedDB as a CryptoKey (structured clone), its bytes never reach
 * script, a storage dump or the disk in a readable form, so the sealed secret cannot be opened
 * away from this browser profile.
 */
export function newSealingKey(): Promise<CryptoKey> {
	return subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, [
		'encrypt',
		'decrypt'
	]) as Promise<CryptoKey>;
}
