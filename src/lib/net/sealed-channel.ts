// A sealed channel over any ordered byte transport (the hub's WebSocket today). Why not rely on TLS:
// a page cannot see TLS keying material, so a TLS session gives the Synchronizer no channel binding,
// and a proxy (or a rogue hub with a valid certificate) sees every frame; the WebSocket endpoint is
// also reachable by anyone, member of the centre or not.
//
// Handshake: each side sends one hello — an ephemeral ECDH P-256 public key, its peer id and a
// random nonce — sealed with the centre key (AES-GCM), so only centre members can open or answer
// one. Both derive, by HKDF over the ECDH secret salted with the hash of both hellos, one AES-GCM key
// per direction; the first record each side sends is FINISHED (the transcript hash) under that key,
// so a replayed hello (whose ECDH private key the replayer lacks) never opens a channel. Every later
// record is AES-GCM with a counter nonce per direction: a replayed, reordered, altered or truncated
// record fails authentication and closes the channel.
//
// Channel binding: `sealed-ecdh:` + SHA-256 of both ECDH public keys (sorted). A man in the middle who
// terminates both sides has two different bindings (one per side), so proofs signing the binding
// fail; one who passes the handshake through holds neither private key and can neither read nor
// alter records. WebCrypto only: browsers and Node 20.
import { toBase64 } from '../domain/base64';
import { Emitter } from '../domain/emitter';
import { subtle } from '../domain/subtle';

export const SEALED_BINDING_PREFIX = 'sealed-ecdh:';
const VERSION = 1;
const PUB_BYTES = 65; // uncompressed P-256 point
const NONCE_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longest peer id a hello may carry, UTF-8 bytes. */
export const MAX_PEER_ID_BYTES = 128;
/** Largest sealed hello on the wire. */
export const MAX_HELLO_BYTES = IV_BYTES + 1 + PUB_BYTES + NONCE_BYTES + MAX_PEER_ID_BYTES + TAG_BYTES;
/** Bytes a record adds to its body on the wire (kind byte and tag). */
export const RECORD_OVERHEAD = 1 + TAG_BYTES;

const FINISHED = 0;
const DATA = 1;

const encoder = new TextEncoder();
const peerIdDecoder = new TextDecoder('utf-8', { fatal: true });
const HELLO_AAD = encoder.encode('plateau/sealed-channel/v1/hello');
const KEY_INFO = 'plateau/sealed-channel/v1/key/';

export type SealedState = 'new' | 'handshake' | 'open' | 'closed';

export interface SealedChannelEvents {
	/** Both sides proved they hold the centre key and their ECDH key: records may flow. */
	open: (remotePeerId: string, binding: string) => void;
	/** One record's body, in the order sent. */
	data: (body: Uint8Array) => void;
	/** The channel is closed (once): a bad frame, a failed handshake, or close() called. */
	close: (reason: string) => void;
}

export interface SealedChannelOptions {
	/** The centre key (deriveCentreKey): only its holders can open a channel. */
	key: CryptoKey;
	/** This side's peer id, told to the other side in the hello. */
	peerId: string;
	/** Writes one frame to the transport (in order; the transport keeps frame boundaries). */
	write: (frame: Uint8Array) => void;
	/** Largest record body accepted, bytes; a bigger frame closes the channel. */
	maxRecordBytes: number;
	/** Received bytes waiting to be decrypted beyond which the channel closes (the transport should
	 *  pause reading before: see receiveBacklog). Default 8 × maxRecordBytes + 1 MiB. */
	maxBacklogBytes?: number;
	/** Called after each received frame is handled (the transport may resume reading). */
	onProgress?: () => void;
}

/** Thrown inside the channel only; turned into a close reason. */
class SealedError extends Error {}

export class SealedChannel {
	readonly #events = new Emitter<SealedChannelEvents>();
	readonly #key: CryptoKey;
	readonly #peerId: string;
	readonly #write: (frame: Uint8Array) => void;
	readonly #maxRecord: number;
	readonly #maxBacklog: number;
	readonly #onProgress: () => void;
	#state: SealedState = 'new';
	#ecdh: CryptoKeyPair | undefined;
	#ownHello: Uint8Array<ArrayBuffer> | undefined;
	#ownPub: Uint8Array<ArrayBuffer> | undefined;
	#remoteHello: Uint8Array<ArrayBuffer> | undefined;
	#sendKey: CryptoKey | undefined;
	#receiveKey: CryptoKey | undefined;
	#transcript: Uint8Array<ArrayBuffer> | undefined;
	#sendCounter = 0;
	#receiveCounter = 0;
	#finishedReceived = false;
	#remotePeerId: string | undefined;
	#binding: string | undefined;
	/** Received frames are handled one at a time, in order. */
	#inbound: Promise<void> = Promise.resolve();
	#backlog = 0;
	/** Encrypted records reach the transport in the order they were sent. */
	#outbound: Promise<void> = Promise.resolve();
	#outPending = 0;
	/** A frame that arrived before start() finished (the other side was quicker). */
	#ready: Promise<void> | undefined;

	constructor(options: SealedChannelOptions) {
		this.#key = options.key;
		this.#peerId = options.peerId;
		this.#write = options.write;
		this.#maxRecord = options.maxRecordBytes;
		this.#maxBacklog = options.maxBacklogBytes ?? 8 * options.maxRecordBytes + 1024 * 1024;
		this.#onProgress = options.onProgress ?? (() => {});
		const idBytes = encoder.encode(options.peerId);
		if (idBytes.length === 0 || idBytes.length > MAX_PEER_ID_BYTES)
			throw new TypeError(`SealedChannel: a peer id is 1 to ${MAX_PEER_ID_BYTES} bytes`);
	}

	get state(): SealedState {
		return this.#state;
	}

	/** The other side's peer id, once open. */
	get remotePeerId(): string | undefined {
		return this.#state === 'open' ? this.#remotePeerId : undefined;
	}

	/** The channel binding, once open (see the top comment). */
	get binding(): string | undefined {
		return this.#state === 'open' ? this.#binding : undefined;
	}

	/** Received bytes not yet decrypted. */
	get receiveBacklog(): number {
		return this.#backlog;
	}

	/** Bytes sent but not yet handed to the transport (being encrypted). */
	get sendBacklog(): number {
		return this.#outPending;
	}

	on<E extends keyof SealedChannelEvents>(event: E, listener: SealedChannelEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	/** Sends this side's hello. Call once the transport is open. */
	start(): Promise<void> {
		if (this.#state !== 'new') return this.#ready ?? Promise.resolve();
		this.#state = 'handshake';
		this.#ready = this.#sendHello().catch((err: unknown) => this.close(reasonOf(err, 'handshake failed')));
		return this.#ready;
	}

	/** Feeds one frame received from the transport. */
	receive(frame: Uint8Array<ArrayBuffer>): void {
		if (this.#state === 'closed') return;
		if (this.#state === 'new') void this.start();
		this.#backlog += frame.length;
		if (this.#backlog > this.#maxBacklog) return this.close('receive backlog over its limit');
		this.#inbound = this.#inbound.then(async () => {
			this.#backlog -= frame.length;
			if (this.#state === 'closed') return;
			try {
				await this.#ready;
				if ((this.#state as SealedState) === 'closed') return;
				if (!this.#remoteHello) await this.#onHello(frame);
				else await this.#onRecord(frame);
			} catch (err) {
				this.close(reasonOf(err, 'bad frame'));
			}
			this.#onProgress();
		});
	}

	/** Sends one record body (encrypted, in order). Only once open; ignored otherwise. */
	send(body: Uint8Array): void {
		if (this.#state !== 'open') return;
		this.#sendRecord(DATA, body);
	}

	/** Resolves once every record sent so far has reached the transport. */
	flushed(): Promise<void> {
		return this.#outbound;
	}

	close(reason: string): void {
		if (this.#state === 'closed') return;
		this.#state = 'closed';
		this.#sendKey = this.#receiveKey = undefined;
		this.#events.emit('close', reason);
		this.#events.clear();
	}

	async #sendHello(): Promise<void> {
		const s = subtle();
		this.#ecdh = (await s.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
			'deriveBits'
		])) as CryptoKeyPair;
		this.#ownPub = new Uint8Array(await s.exportKey('raw', this.#ecdh.publicKey));
		const id = encoder.encode(this.#peerId);
		const hello = new Uint8Array(1 + PUB_BYTES + NONCE_BYTES + id.length);
		hello[0] = VERSION;
		hello.set(this.#ownPub, 1);
		hello.set(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)), 1 + PUB_BYTES);
		hello.set(id, 1 + PUB_BYTES + NONCE_BYTES);
		this.#ownHello = hello;
		const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
		const sealed = new Uint8Array(
			await s.encrypt({ name: 'AES-GCM', iv, additionalData: HELLO_AAD }, this.#key, hello)
		);
		const frame = new Uint8Array(IV_BYTES + sealed.length);
		frame.set(iv);
		frame.set(sealed, IV_BYTES);
		if (this.#state === 'handshake') this.#write(frame);
	}

	async #onHello(frame: Uint8Array<ArrayBuffer>): Promise<void> {
		const s = subtle();
		if (
			frame.length < IV_BYTES + TAG_BYTES + 1 + PUB_BYTES + NONCE_BYTES + 1 ||
			frame.length > MAX_HELLO_BYTES
		)
			throw new SealedError('handshake refused: not a hello');
		let hello: Uint8Array<ArrayBuffer>;
		try {
			hello = new Uint8Array(
				await s.decrypt(
					{ name: 'AES-GCM', iv: frame.subarray(0, IV_BYTES), additionalData: HELLO_AAD },
					this.#key,
					frame.subarray(IV_BYTES)
				)
			);
		} catch {
			throw new SealedError('handshake refused: sealed with another centre key');
		}
		if (hello[0] !== VERSION) throw new SealedError(`handshake refused: version ${hello[0]}`);
		const pub = hello.subarray(1, 1 + PUB_BYTES);
		let remotePeerId: string;
		try {
			remotePeerId = peerIdDecoder.decode(hello.subarray(1 + PUB_BYTES + NONCE_BYTES));
		} catch {
			throw new SealedError('handshake refused: peer id is not UTF-8');
		}
		if (remotePeerId === this.#peerId)
			throw new SealedError('handshake refused: the other side uses our peer id');
		if (equalBytes(pub, this.#ownPub!)) throw new SealedError('handshake refused: our own hello sent back');
		let remoteKey: CryptoKey;
		try {
			remoteKey = await s.importKey('raw', pub, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
		} catch {
			throw new SealedError('handshake refused: not a P-256 public key');
		}
		this.#remoteHello = hello;
		this.#remotePeerId = remotePeerId;
		const shared = await s.deriveBits({ name: 'ECDH', public: remoteKey }, this.#ecdh!.privateKey, 256);
		const [first, second] = sortBytes(this.#ownHello!, hello);
		this.#transcript = new Uint8Array(await s.digest('SHA-256', concat(first, second)));
		const base = await s.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
		const derive = (sender: Uint8Array, usage: KeyUsage) =>
			s.deriveKey(
				{
					name: 'HKDF',
					hash: 'SHA-256',
					salt: this.#transcript!,
					info: concat(encoder.encode(KEY_INFO), sender)
				},
				base,
				{ name: 'AES-GCM', length: 256 },
				false,
				[usage]
			);
		this.#sendKey = await derive(this.#ownPub!, 'encrypt');
		this.#receiveKey = await derive(pub, 'decrypt');
		const [p1, p2] = sortBytes(this.#ownPub!, pub);
		const digest = new Uint8Array(await s.digest('SHA-256', concat(p1, p2)));
		this.#binding = SEALED_BINDING_PREFIX + toBase64(digest);
		this.#ecdh = undefined; // the private key is not needed again
		if (this.#state === 'closed') return;
		this.#sendRecord(FINISHED, this.#transcript);
	}

	async #onRecord(frame: Uint8Array<ArrayBuffer>): Promise<void> {
		if (frame.length < RECORD_OVERHEAD || frame.length > this.#maxRecord + RECORD_OVERHEAD)
			throw new SealedError(`frame of ${frame.length} bytes refused`);
		const key = this.#receiveKey;
		if (!key) throw new SealedError('channel closed');
		let plain: Uint8Array;
		try {
			plain = new Uint8Array(
				await subtle().decrypt({ name: 'AES-GCM', iv: counterIv(this.#receiveCounter++) }, key, frame)
			);
		} catch {
			throw new SealedError('frame failed authentication (altered, replayed, reordered or truncated)');
		}
		if (this.#state === 'closed') return;
		const kind = plain[0];
		const body = plain.subarray(1);
		if (!this.#finishedReceived) {
			if (kind !== FINISHED || !equalBytes(body, this.#transcript!))
				throw new SealedError('handshake refused: no valid finished record');
			this.#finishedReceived = true;
			this.#state = 'open';
			this.#events.emit('open', this.#remotePeerId!, this.#binding!);
			return;
		}
		if (kind !== DATA) throw new SealedError(`unexpected record kind ${kind}`);
		this.#events.emit('data', body);
	}

	#sendRecord(kind: number, body: Uint8Array): void {
		const key = this.#sendKey;
		if (!key) return;
		if (body.length > this.#maxRecord) throw new RangeError(`record of ${body.length} bytes over the limit`);
		const plain = new Uint8Array(1 + body.length);
		plain[0] = kind;
		plain.set(body, 1);
		const size = plain.length + TAG_BYTES;
		this.#outPending += size;
		// Encryption starts now (in parallel with earlier records); writes keep the order.
		const sealed = subtle().encrypt({ name: 'AES-GCM', iv: counterIv(this.#sendCounter++) }, key, plain);
		this.#outbound = this.#outbound.then(async () => {
			let frame: ArrayBuffer;
			try {
				frame = await sealed;
			} catch (err) {
				this.close(reasonOf(err, 'encryption failed'));
				return;
			} finally {
				this.#outPending -= size;
			}
			if (this.#state === 'closed') return;
			this.#write(new Uint8Array(frame));
		});
	}
}

function counterIv(counter: number): Uint8Array<ArrayBuffer> {
	if (counter > Number.MAX_SAFE_INTEGER) throw new SealedError('counter exhausted');
	const iv = new Uint8Array(IV_BYTES);
	const view = new DataView(iv.buffer);
	view.setUint32(4, Math.floor(counter / 2 ** 32));
	view.setUint32(8, counter >>> 0);
	return iv;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(a.length + b.length);
	out.set(a);
	out.set(b, a.length);
	return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
	return a.length - b.length;
}

function sortBytes(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
	return compareBytes(a, b) <= 0 ? [a, b] : [b, a];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && compareBytes(a, b) === 0;
}

function reasonOf(err: unknown, fallback: string): string {
	if (err instanceof SealedError) return err.message;
	return err instanceof Error ? `${fallback}: ${err.message}` : fallback;
}
