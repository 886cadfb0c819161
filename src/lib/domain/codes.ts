// The codes people read, type and pass on: invite codes (a centre id and its secret) and pairing
// codes (8 characters shown by one device of an agent, typed on another). Both use Crockford's
// base 32 in lowercase (digits and letters without i, l, o, u): no two characters look or sound
// alike, so a code survives being read aloud over the phone or copied by hand; agent ids use the
// same alphabet. Parsing forgives what cannot be wrong: case, spaces and dashes are ignored, and
// o / i / l are read as 0 / 1 / 1 (Crockford's rule). Pure TypeScript: UI and every layer import
// codes and their errors from here.

/** Crockford's base 32, lowercase: also within the id alphabet [a-z0-9]. */
export const CROCKFORD_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** The alphabet of centre secrets (the same one; the name the invite code speaks of). */
export const SECRET_ALPHABET = CROCKFORD_ALPHABET;

/** `length` characters of base 32 from the bits of `bytes`, most significant first. */
export function crockford(bytes: Uint8Array, length: number): string {
	let out = '';
	let buffer = 0;
	let bits = 0;
	for (const byte of bytes) {
		buffer = (buffer << 8) | byte;
		bits += 8;
		while (bits >= 5 && out.length < length) {
			out += CROCKFORD_ALPHABET[(buffer >>> (bits - 5)) & 31];
			bits -= 5;
		}
		buffer &= 0xff;
	}
	return out;
}

/** `length` random characters of the alphabet (5 random bits each). */
export function randomCrockford(length: number): string {
	// 32 symbols: the low 5 bits of a random byte are uniform.
	const bytes = crypto.getRandomValues(new Uint8Array(length));
	let out = '';
	for (const b of bytes) out += CROCKFORD_ALPHABET[b & 31];
	return out;
}

/** What a person typed, read the forgiving way: lowercase, no spaces or dashes, o → 0, i/l → 1. */
export function canonicalCrockford(raw: string): string {
	return String(raw ?? '')
		.toLowerCase()
		.replace(/[\s-]+/g, '')
		.replace(/o/g, '0')
		.replace(/[il]/g, '1');
}

/** Characters of `code` outside the alphabet, each once. */
function foreignCharacters(code: string): string[] {
	return [...new Set([...code].filter((c) => !CROCKFORD_ALPHABET.includes(c)))];
}

// ---------------------------------------------------------------------------------------------
// Invite codes: `plateau:<centre id>:<secret>`, e.g. `plateau:acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr`.
// The canonical secret (what parseInviteCode returns and the centre key is derived from) is
// lowercase with no separators; it is shown in dash-separated groups of four.

export const INVITE_PREFIX = 'plateau';
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
	return randomCrockford(SECRET_LENGTH);
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
	const secret = canonicalCrockford(raw);
	if (secret.length === 0)
		throw new InviteCodeError(
			'secret-length',
			`The invite code has no secret. Expected a code like ${EXAMPLE}.`
		);
	const bad = foreignCharacters(secret);
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

/** The invite code inside what a person pasted: the code itself, or an invite link
 *  (`https://…/join#plateau:…`), whose code is its fragment. */
export function inviteCodeFromInput(input: string): string {
	const text = String(input ?? '').trim();
	const hash = text.indexOf('#');
	if (hash < 0 || !/^https?:\/\//i.test(text)) return text;
	try {
		return decodeURIComponent(text.slice(hash + 1));
	} catch {
		return text.slice(hash + 1);
	}
}

/** The invite code of a centre, its secret in groups of four for reading aloud. Throws an
 *  InviteCodeError for an invalid centre id or secret. */
export function formatInviteCode(centreId: string, secret: string): string {
	checkCentreId(centreId);
	const canonical = canonicalSecret(secret);
	const groups = canonical.match(/.{1,4}/g) ?? [];
	return `${INVITE_PREFIX}:${centreId}:${groups.join('-')}`;
}

// ---------------------------------------------------------------------------------------------
// Pairing codes: 8 characters (40 bits), shown as two groups of four, `K3F9-2M7Q`.

export const PAIRING_CODE_LENGTH = 8;

/** Why pairing failed, for a message in the agent's language. */
export class PairingError extends Error {
	constructor(
		readonly reason: 'format' | 'expired' | 'used' | 'no-answer' | 'invalid' | 'offline',
		message: string
	) {
		super(message);
		this.name = 'PairingError';
	}
}

/** A new pairing code, formatted. */
export function newPairingCode(): string {
	return formatPairingCode(randomCrockford(PAIRING_CODE_LENGTH));
}

export function formatPairingCode(canonical: string): string {
	return `${canonical.slice(0, 4)}-${canonical.slice(4)}`.toUpperCase();
}

/** The canonical code (lowercase, no separators; O read as 0, I and L as 1), or PairingError. */
export function parsePairingCode(input: string): string {
	const code = canonicalCrockford(input);
	if (code.length !== PAIRING_CODE_LENGTH || foreignCharacters(code).length > 0)
		throw new PairingError(
			'format',
			`A pairing code is ${PAIRING_CODE_LENGTH} letters and digits, like K3F9-2M7Q.`
		);
	return code;
}
