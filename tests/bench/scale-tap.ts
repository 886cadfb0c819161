// Where the relay's signaling bytes go, by message type: the scale benchmark's relay (scale-relay.ts)
// wraps TopicFanout.publish and, while tapping, opens each publish with the centre key (the bench
// knows the secret; a real relay never does) to name it — announce, present, link, busy, bye, offer,
// answer, candidate — and counts what the relay read (one frame from the sender) and wrote (one per
// subscriber). Frame sizes are the JSON the relay reads and writes plus the WebSocket header (client
// frames are masked: 4 more bytes); the socket totals beside them include pings and pongs too.
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { asEnvelope, unseal } from '../../src/lib/net/signaling-envelope';

export interface TypeTally {
	/** Publishes of this type (messages sent to the relay). */
	sent: number;
	/** Bytes the relay read for them. */
	bytesRead: number;
	/** Copies the relay wrote (one per subscriber of the topic, the sender included). */
	delivered: number;
	/** Bytes the relay wrote for them. */
	bytesWritten: number;
	/** Payload bytes (the envelope's JSON before sealing), summed over publishes. */
	plainBytes: number;
	/** ICE candidates carried (inside descriptions' SDP, or one per candidate message). */
	candidates: number;
}

export type Tally = Record<string, TypeTally>;

const wsHeader = (len: number) => (len < 126 ? 2 : len < 65536 ? 4 : 10);

/** The type a decrypted envelope's payload names; descriptions split into offer and answer. */
export function signalKind(payload: unknown): { kind: string; candidates: number } {
	if (typeof payload !== 'object' || payload === null) return { kind: 'other', candidates: 0 };
	const p = payload as {
		type?: unknown;
		description?: { type?: unknown; sdp?: unknown };
		candidate?: unknown;
		candidates?: unknown;
	};
	if (p.type !== 'signal') return { kind: typeof p.type === 'string' ? p.type : 'other', candidates: 0 };
	if (p.description && typeof p.description.type === 'string') {
		const sdp = typeof p.description.sdp === 'string' ? p.description.sdp : '';
		const inSdp = sdp.match(/^a=candidate:/gm)?.length ?? 0;
		const extra = Array.isArray(p.candidates) ? p.candidates.length : 0;
		return { kind: p.description.type, candidates: inSdp + extra };
	}
	if (Array.isArray(p.candidates)) return { kind: 'candidate', candidates: p.candidates.length };
	return { kind: 'candidate', candidates: p.candidate ? 1 : 0 };
}

export class RelayTap {
	#on = false;
	#tally: Tally = {};
	readonly #keys = new Map<string, Promise<CryptoKey>>();
	readonly #pending = new Set<Promise<void>>();

	constructor(readonly secret: string) {}

	/** Starts (or restarts) counting from zero. */
	start(): void {
		this.#on = true;
		this.#tally = {};
	}

	/** Stops counting; resolves with what was counted once every publish seen is classified. */
	async stop(): Promise<Tally> {
		this.#on = false;
		while (this.#pending.size) await Promise.all([...this.#pending]);
		return this.#tally;
	}

	/** A publish on `topic` the relay delivered to `recipients` subscribers. */
	saw(topic: string, message: { data?: unknown }, recipients: number): void {
		if (!this.#on) return;
		const json = JSON.stringify(message);
		const inLen = Buffer.byteLength(json);
		const outLen = Buffer.byteLength(json) + `,"clients":${recipients}`.length;
		const run = this.#classify(topic, message.data).then(({ kind, candidates, plain }) => {
			const t = (this.#tally[kind] ??= {
				sent: 0,
				bytesRead: 0,
				delivered: 0,
				bytesWritten: 0,
				plainBytes: 0,
				candidates: 0
			});
			t.sent++;
			t.bytesRead += inLen + wsHeader(inLen) + 4;
			t.delivered += recipients;
			t.bytesWritten += recipients * (outLen + wsHeader(outLen));
			t.plainBytes += plain;
			t.candidates += candidates;
		});
		this.#pending.add(run);
		void run.finally(() => this.#pending.delete(run));
	}

	async #classify(
		topic: string,
		data: unknown
	): Promise<{ kind: string; candidates: number; plain: number }> {
		// Topics are plateau:<centre id>, plateau:<centre id>/<peer id> (webrtc.ts meshTopic) and the
		// lobby and hubs topics under it (mesh-lobby.ts).
		const centre = /^plateau:([^/:]+)/.exec(topic)?.[1];
		if (!centre || typeof data !== 'string') return { kind: 'unknown', candidates: 0, plain: 0 };
		let key = this.#keys.get(centre);
		if (!key) this.#keys.set(centre, (key = deriveCentreKey(this.secret, centre)));
		try {
			const e = asEnvelope(await unseal(await key, data));
			if (!e) return { kind: 'unknown', candidates: 0, plain: 0 };
			const { kind, candidates } = signalKind(e.payload);
			return {
				kind: kind === 'announce' ? announceKind(topic) : kind,
				candidates,
				plain: JSON.stringify(e.payload).length
			};
		} catch {
			return { kind: 'unknown', candidates: 0, plain: 0 };
		}
	}
}

/** Announces by where they went: a lobby shard, the hubs' topic or the centre topic (mesh-lobby.ts). */
function announceKind(topic: string): string {
	if (/\/lobby\/\d+\/\d+$/.test(topic)) return 'announce:lobby';
	if (topic.endsWith('/hubs')) return 'announce:hubs';
	return 'announce';
}

/** Sums of a tally over every type. */
export function tallyTotal(t: Tally): TypeTally {
	const total: TypeTally = {
		sent: 0,
		bytesRead: 0,
		delivered: 0,
		bytesWritten: 0,
		plainBytes: 0,
		candidates: 0
	};
	for (const v of Object.values(t))
		for (const k of Object.keys(total) as (keyof TypeTally)[]) total[k] += v[k];
	return total;
}
