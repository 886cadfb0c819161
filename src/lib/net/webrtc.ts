// The WebRTC mesh: a bounded number of RTCPeerConnections per peer, forming one connected random
// overlay of a centre's peers, each with one ordered reliable data channel carrying every document
// (the Synchronizer multiplexes by document id and forwards updates to its other neighbours).
// Messages are cut into 16 KiB frames and sent under back-pressure on the channel's bufferedAmount.
//
// Meeting (docs/decisions.md › "Targeted signaling", "Bounded links", "Lobby shards"): a joiner
// announces on a part of the centre — a lobby shard sized by the relay's counts, the whole centre
// when it is small (mesh-lobby.ts) — and on the hubs' topic; a peer with room answers on the
// joiner's inbox topic with "present", with a probability that keeps the expected number of answers
// at a small multiple of `target` whatever the number of peers that heard it (a hub always
// answers); the joiner ranks those who answered (link-selection.ts) and links to the best. The
// smaller id makes the offer, so two peers choosing each other at once never both offer (the larger
// asks with "link"). A peer at `max` links answers "busy" and the other side tries someone else;
// below `target` a peer looks again, with backoff.
// Everything but the announce goes to the recipient's inbox topic (mesh-signals.ts), so what one
// peer receives during a join does not grow with the number of peers.
//
// Hardening against peers and relays that do not play by the rules: an offer never replaces a live
// link (a link whose data channel is open stays until it closes); a link not open in time is closed
// at both ends ("bye") and its peer left aside for a while; signals of one peer are handled one at a
// time, so a late step of an abandoned attempt never touches its successor; signaling messages
// arrive only through the client's envelope checks (no replay, no stale message, the sender and the
// topic sealed inside); a peer that breaks the framing, or that the sync layer disconnects, is closed
// and not reconnected before a back-off (5 s, doubling per offence up to 5 min). The channel binding
// is both DTLS certificate fingerprints of the connection, which a man in the middle cannot make
// equal on its two sides.
import { Disposer, Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';
import { FrameError, toFrames } from './chunking';
import {
	checkBounds,
	chooseLinks,
	OnlineEstimate,
	replyProbability,
	type LinkBounds
} from './link-selection';
import {
	asSignal,
	emptyStats,
	inboxTopic,
	type MeshProfile,
	type MeshStats,
	type Signal
} from './mesh-signals';
import {
	hubsTopic,
	LOBBY_LEVELS,
	lobbyTopic,
	nextLevel,
	ownLobbies,
	shardIndex,
	siblingTopic
} from './mesh-lobby';
import type { SignalingClient } from './signaling-client';
import {
	candidateKey,
	closeLink,
	flushCandidates,
	gathered,
	linkBinding,
	newLink,
	pump,
	trimCandidates,
	type Link
} from './webrtc-link';

export { sdpFingerprints } from './webrtc-link';
export { inboxTopic, type MeshProfile, type MeshStats } from './mesh-signals';
export { DEFAULT_LINKS, type LinkBounds } from './link-selection';
export { hubsTopic, LOBBY_LEVELS, lobbyTopic, ownLobbies, shardIndex } from './mesh-lobby';

/** The signaling topic a centre's peers meet on (and, optionally, a room inside it). The server
 *  sees it; it names the centre only. */
export function meshTopic(centreId: string, room?: string): string {
	return room ? `plateau:${centreId}:${room}` : `plateau:${centreId}`;
}

export interface WebRtcOptions {
	signaling: SignalingClient;
	/** Signaling topic of this centre's mesh. */
	topic: string;
	/** How many links this peer looks for and accepts at most (DEFAULT_LINKS). */
	links?: Partial<LinkBounds>;
	/** What announces say about this peer (its floor, its agent, whether it is a hub). */
	profile?: MeshProfile;
	/** Peers never linked to (tests: a direct link refused on purpose). */
	refuse?: (peer: PeerId) => boolean;
	/** ICE servers; none by default (peers on one network need none, and nothing is reached outside). */
	iceServers?: RTCIceServer[];
	/** RTCPeerConnection implementation: the browser's by default, `@roamhq/wrtc`'s in Node. */
	RTCPeerConnectionImpl?: typeof RTCPeerConnection;
	/** Largest reassembled message, bytes, and the cap on what one peer can have in reassembly. */
	maxMessageBytes?: number;
	/** Pause sending while this much is buffered in a channel. */
	highWaterMark?: number;
	/** A connection not open within this is closed at both ends, and another peer tried. */
	connectTimeoutMs?: number;
	/** First wait before reconnecting to a peer disconnected for breaking the protocol; doubled per
	 *  offence, up to 5 minutes. Default 5,000. */
	protocolBackoffMs?: number;
	/** How long a joiner collects answers to its announce before choosing. Default 150 ms. */
	gatherMs?: number;
	/** First wait before announcing again while below `target`; doubled each time, up to 60 s. */
	lookAgainMs?: number;
	/** Announces are at least this far apart: the answers to one may still be on their way (a
	 *  loaded peer or relay takes seconds), and each announce is written to every peer of the
	 *  centre. Default 3,000. */
	replyWaitMs?: number;
	/** Longest wait for ICE candidates before a description is sent without the rest of them (they
	 *  follow, batched). Default 1,000. */
	gatherWaitMs?: number;
	/** Levels of lobby shards this peer subscribes to and announces on (mesh-lobby.ts); 0: announce
	 *  on the centre topic only, as before lobbies (every peer of the centre hears every announce).
	 *  Default LOBBY_LEVELS. */
	lobbyLevels?: number;
	/** How long an announce on a lobby shard waits for the relay to deliver it back with the shard's
	 *  count before announcing on the centre topic instead. Default 2,000. */
	echoWaitMs?: number;
	/** Randomness for the reply probability and the ranking (tests). */
	random?: () => number;
	log?: (message: string) => void;
}

const MAX_BACKOFF_MS = 5 * 60_000;
const MAX_LOOK_AGAIN_MS = 60_000;
/** How long a peer that refused, timed out or said bye is not tried again. */
const COOLDOWN_MS = 30_000;
/** How long an answer to an announce stays a candidate. */
const CANDIDATE_MS = 60_000;
/** Bounds on what other peers can make this one remember. */
const MAX_CANDIDATES = 256;
const MAX_REMEMBERED = 1024;
/** Longest wait for ICE candidates before a description is sent without the rest of them. */
const GATHER_WAIT_MS = 1000;
/** Late candidates found within this of the first go out in one message (or as soon as gathering
 *  completes): a peer finds several at once, one per network interface and protocol. */
const CANDIDATE_BATCH_MS = 100;
/** Candidates kept for a link whose remote description has not come yet. */
const MAX_PENDING_CANDIDATES = 64;
/** Shortest time between two announces (WebRtcOptions.replyWaitMs). Measured: at N = 100 under
 *  load, the answers took over a second, the joiner announced again and the second announce's 100
 *  copies were half of the join's bytes. */
const REPLY_WAIT_MS = 3000;
/** At most one "present" to the same peer within this. */
const REPLY_INTERVAL_MS = 1000;
const ECHO_WAIT_MS = 2000;
/** Rounds of looking again on other shards of the level the last search stopped at, before the
 *  centre topic (which also reaches peers that predate lobbies). */
const SIBLING_ROUNDS = 2;

/** A peer under protocol back-off: not reconnected before `until`. */
interface Backoff {
	until: number;
	offences: number;
	timer?: ReturnType<typeof setTimeout>;
}

/** Sets `key` in a map kept under `cap` entries (the oldest insertions go first). */
function remember<K, V>(map: Map<K, V>, key: K, value: V, cap: number): void {
	map.delete(key);
	map.set(key, value);
	while (map.size > cap) map.delete(map.keys().next().value as K);
}

function count(counts: Partial<Record<Signal['type'], number>>, type: Signal['type']): void {
	counts[type] = (counts[type] ?? 0) + 1;
}

export class WebRtcMesh implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #signaling: SignalingClient;
	readonly #topic: string;
	readonly #inbox: string;
	readonly #bounds: LinkBounds;
	#profile: MeshProfile;
	readonly #refuse: (peer: PeerId) => boolean;
	readonly #config: RTCConfiguration;
	readonly #Impl: typeof RTCPeerConnection;
	readonly #maxBytes: number;
	readonly #high: number;
	readonly #connectTimeout: number;
	readonly #gatherMs: number;
	readonly #lookAgainMs: number;
	readonly #replyWaitMs: number;
	readonly #gatherWaitMs: number;
	readonly #lobbyLevels: number;
	readonly #echoWaitMs: number;
	/** This peer's lobby shard topics and their levels (none for a hub). */
	readonly #lobbies: Map<string, number>;
	readonly #hubs: string;
	/** The announce on a lobby shard waiting for the relay's echo, with its level. */
	#probe: { topic: string; level: number; timer: ReturnType<typeof setTimeout> } | undefined;
	/** Where the last search stopped (0: the centre topic; undefined: no search since the target was
	 *  last reached), the last other shard of that level announced on (siblingTopic), and the rounds
	 *  of looking again since. */
	#level: number | undefined;
	#sibling = 0;
	#round = 0;
	readonly #random: () => number;
	readonly #log: (m: string) => void;
	readonly #links = new Map<PeerId, Link>();
	/** Link requests sent ("link"), waiting for the peer's offer; each counts as a pending link. */
	readonly #requested = new Map<PeerId, ReturnType<typeof setTimeout>>();
	/** Peers that answered an announce (or asked for a link), with what they said and when. */
	readonly #candidates = new Map<PeerId, { profile: MeshProfile; at: number }>();
	/** Peers not tried again before the time given (refused, timed out, said bye). */
	readonly #cooldown = new Map<PeerId, number>();
	/** Profiles heard, for the links' ranking. */
	readonly #profiles = new Map<PeerId, MeshProfile>();
	readonly #lastReply = new Map<PeerId, number>();
	/** Signals of one peer, handled one after the other. */
	readonly #chains = new Map<PeerId, Promise<void>>();
	readonly #estimate = new OnlineEstimate();
	readonly #stats = emptyStats();
	readonly #backoffMs: number;
	readonly #backoff = new Map<PeerId, Backoff>();
	readonly #events = new Emitter<NetworkEvents>();
	readonly #teardown = new Disposer();
	readonly #timers = new Set<ReturnType<typeof setTimeout>>();
	#gatherTimer: ReturnType<typeof setTimeout> | undefined;
	#lookTimer: ReturnType<typeof setTimeout> | undefined;
	#lookDelay: number;
	#lastAnnounce = 0;
	#lastForeignAnnounce = 0;
	readonly #lastRejectLog = new Map<string, number>();
	#destroyed = false;

	constructor(options: WebRtcOptions) {
		this.#signaling = options.signaling;
		this.peerId = options.signaling.peerId;
		this.#topic = options.topic;
		this.#inbox = inboxTopic(options.topic, this.peerId);
		this.#bounds = checkBounds(options.links);
		this.#profile = { ...(options.profile ?? { floor: '' }) };
		this.#refuse = options.refuse ?? (() => false);
		this.#config = { iceServers: options.iceServers ?? [] };
		this.#Impl = options.RTCPeerConnectionImpl ?? globalThis.RTCPeerConnection;
		this.#maxBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
		this.#high = options.highWaterMark ?? 1024 * 1024;
		this.#connectTimeout = options.connectTimeoutMs ?? 15_000;
		this.#backoffMs = options.protocolBackoffMs ?? 5_000;
		this.#gatherMs = options.gatherMs ?? 150;
		this.#lookAgainMs = this.#lookDelay = options.lookAgainMs ?? 1000;
		this.#gatherWaitMs = options.gatherWaitMs ?? GATHER_WAIT_MS;
		this.#replyWaitMs = options.replyWaitMs ?? REPLY_WAIT_MS;
		this.#lobbyLevels = options.lobbyLevels ?? LOBBY_LEVELS;
		if (!Number.isInteger(this.#lobbyLevels) || this.#lobbyLevels < 0 || this.#lobbyLevels > 16)
			throw new RangeError('lobbyLevels is an integer from 0 to 16');
		this.#echoWaitMs = options.echoWaitMs ?? ECHO_WAIT_MS;
		this.#lobbies = ownLobbies(this.#topic, this.peerId, this.#lobbyLevels);
		this.#hubs = hubsTopic(this.#topic);
		this.#random = options.random ?? Math.random;
		this.#log = options.log ?? ((m) => console.warn(`Plateau WebRTC: ${m}`));
		this.#teardown.add(
			this.#signaling.on('message', (topic, payload, from, clients) => {
				const meeting = this.#meets(topic);
				if ((!meeting && topic !== this.#inbox) || !from || from === this.peerId) return;
				this.#stats.signalsReceived++;
				this.#stats.signalBytesReceived += JSON.stringify(payload).length;
				if (topic === this.#topic && clients !== undefined) this.#estimate.relaySaid(clients);
				const signal = asSignal(payload);
				if (signal) count(this.#stats.receivedByType, signal.type);
				// The sender names itself in the signal too; the envelope check made the two agree.
				if (!signal || signal.from !== from) return;
				// Meeting topics carry announces only; everything else comes to the inbox.
				if (meeting ? signal.type !== 'announce' || signal.to : signal.to !== this.peerId) return;
				// On a shard, the relay's count is exactly who heard this announce (the joiner aside).
				const heard = this.#lobbies.has(topic) && clients !== undefined ? clients - 1 : undefined;
				this.#queue(from, signal, heard);
			}),
			this.#signaling.on('echo', (topic, clients) => this.#onEcho(topic, clients)),
			this.#signaling.on('state', (state) => {
				if (state === 'open' && this.#want() > 0) this.announce();
			}),
			// Someone on our topic uses another centre key. Announce again (at most every few
			// seconds): our announce is just as unreadable to them, which is how a newcomer with a
			// wrong invite code learns it.
			this.#signaling.on('decrypt-error', (topic) => {
				const now = Date.now();
				if (!this.#meets(topic) || now - this.#lastForeignAnnounce < 3000) return;
				this.#lastForeignAnnounce = now;
				void this.#announceOn(topic);
				if (this.#want() > 0) this.#lookAgain();
			}),
			// Replays, stale or forged messages: said at most once a second per reason.
			this.#signaling.on('rejected', (topic, reason, from) => {
				if (!this.#meets(topic) && topic !== this.#inbox) return;
				const now = Date.now();
				if (now - (this.#lastRejectLog.get(reason) ?? 0) < 1000) return;
				this.#lastRejectLog.set(reason, now);
				this.#log(`refused a signaling message (${reason}) claiming to come from ${from ?? 'nobody'}`);
			}),
			() => {
				for (const timer of this.#timers) clearTimeout(timer);
				this.#timers.clear();
				for (const timer of this.#requested.values()) clearTimeout(timer);
				this.#requested.clear();
				for (const b of this.#backoff.values()) clearTimeout(b.timer);
				this.#backoff.clear();
			}
		);
		this.#signaling.subscribe(...this.#subscriptions());
		this.announce();
	}

	/** The topics this peer listens on: the centre's, its inbox, and its lobby shards (a hub: the
	 *  hubs' topic instead). */
	#subscriptions(): string[] {
		const meeting = this.#profile.hub ? [this.#hubs] : [...this.#lobbies.keys()];
		return [this.#topic, this.#inbox, ...meeting];
	}

	/** A topic on which this peer hears announces. */
	#meets(topic: string): boolean {
		return topic === this.#topic || (this.#profile.hub ? topic === this.#hubs : this.#lobbies.has(topic));
	}

	/** See linkBinding (webrtc-link.ts). */
	channelBinding(peer: PeerId): string | undefined {
		return linkBinding(this.#links.get(peer));
	}

	/** Bytes held in reassembly for `peer` (diagnostics; bounded by maxMessageBytes). */
	reassemblyBytes(peer: PeerId): number {
		return this.#links.get(peer)?.reassembler.buffered ?? 0;
	}

	peers(): PeerId[] {
		return [...this.#links].filter(([, l]) => l.open).map(([id]) => id);
	}

	/** Links being set up (offered, answered or requested, not open yet). */
	pendingLinks(): number {
		return this.#links.size - this.peers().length + this.#requested.size;
	}

	get links(): LinkBounds {
		return { ...this.#bounds };
	}

	/** What a peer's announces said about it (its floor, agent, whether it is a hub), if heard. */
	profileOf(peer: PeerId): MeshProfile | undefined {
		return this.#profiles.get(peer);
	}

	get profile(): MeshProfile {
		return { ...this.#profile };
	}

	/** What this peer's signaling cost and what became of its links, since it started. */
	stats(): MeshStats {
		const s = this.#stats;
		return { ...s, sentByType: { ...s.sentByType }, receivedByType: { ...s.receivedByType } };
	}

	/** The agent changed floor (or became known): later announces and answers say so. Links stay. */
	setProfile(profile: MeshProfile): void {
		const before = this.#subscriptions();
		this.#profile = { ...profile };
		const after = this.#subscriptions();
		const gone = before.filter((t) => !after.includes(t));
		if (gone.length) this.#signaling.unsubscribe(...gone);
		this.#signaling.subscribe(...after);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	/** Tells part of the centre's peers (all of a small centre) that this one is here and looks for
	 *  links; some with room answer. Starts on this peer's deepest lobby shard and moves up as the
	 *  relay's counts say (mesh-lobby.ts); a hub, or a mesh without lobbies, uses the centre topic. */
	announce(): void {
		this.#lastAnnounce = Date.now();
		this.#round = 0;
		this.#sibling = 0;
		if (this.#lobbyLevels > 0 && !this.#profile.hub) this.#tellHubs();
		this.#announceAt(this.#profile.hub ? 0 : this.#lobbyLevels);
		// Nobody may have heard it (the others' subscriptions not in place yet, all at their cap):
		// look again later if still short of links then.
		this.#lookAgain();
	}

	/** Announces on this peer's shard at `level` (0: the centre topic) and, on a shard, waits for
	 *  the relay to deliver it back with the shard's count (#onEcho). */
	#announceAt(level: number): void {
		this.#endProbe();
		if (level <= 0) {
			this.#level = 0;
			void this.#announceOn(this.#topic);
			return;
		}
		const topic = lobbyTopic(this.#topic, level, shardIndex(this.peerId, level));
		const probe = {
			topic,
			level,
			// No echo (a relay that does not deliver to the sender, a lost message): the centre.
			timer: this.#later(this.#echoWaitMs, () => {
				if (this.#probe !== probe) return;
				this.#probe = undefined;
				this.#announceAt(0);
			})
		};
		this.#probe = probe;
		void this.#announceOn(topic).then((sent) => {
			// Not connected: the announce is made again once signaling is open.
			if (!sent && this.#probe === probe) this.#endProbe();
		});
	}

	#endProbe(): void {
		if (!this.#probe) return;
		clearTimeout(this.#probe.timer);
		this.#timers.delete(this.#probe.timer);
		this.#probe = undefined;
	}

	/** The relay delivered one of this peer's own publishes back, with the topic's count. An
	 *  announce on a shard that reached fewer peers than the links sought moves up to the level
	 *  whose shards should hold enough of them (mesh-lobby.ts nextLevel); after the first count,
	 *  the peers missing come from other shards of the same level instead: as many as the count
	 *  says it takes, none of them reached twice (a jump up from a second short count overshot:
	 *  simulated at 40 peers, the worst tenth of joins reached 21 copies or more; 14 this way). */
	#onEcho(topic: string, clients: number | undefined): void {
		const probe = this.#probe;
		if (!probe || topic !== probe.topic) return;
		this.#endProbe();
		const { level } = probe;
		this.#level = level;
		const want = this.#want();
		const others = Math.max(0, (clients ?? 1) - 1);
		if (want <= 0 || others >= want) return;
		const next = nextLevel(level, others, want + 1);
		if (level === this.#lobbyLevels || next === 0) return this.#announceAt(next);
		const shards = Math.ceil((want + 1 - others) / Math.max(1, others));
		// As many shards as half the centre: a small centre, the centre topic reaches it all.
		if (shards >= 2 ** (level - 1)) return this.#announceAt(0);
		for (let i = 0; i < shards; i++) this.#announceOnSibling();
	}

	/** Announces on the next other shard of the level the search stopped at. */
	#announceOnSibling(): void {
		this.#sibling++;
		void this.#announceOn(siblingTopic(this.#topic, this.peerId, this.#level!, this.#sibling));
	}

	/** Announces again, still short of links after a search: on other shards of the level the search
	 *  stopped at (peers it has not reached yet), then on the centre topic. */
	#announceAgain(): void {
		if (this.#level === undefined) return this.announce();
		this.#lastAnnounce = Date.now();
		this.#round++;
		if (this.#level > 0 && this.#round <= SIBLING_ROUNDS && this.#sibling + 1 < 2 ** this.#level) {
			this.#tellHubs();
			this.#announceOnSibling();
		} else this.#announceAt(0);
	}

	/** Joiners announce on the hubs' topic too, so every one of them can reach a hub whatever shard
	 *  it announced on; not once linked to a hub (a peer ranks one hub link only). */
	#tellHubs(): void {
		const hubLinked = [...this.#links.values()].some((l) => (l.profile ?? this.#profiles.get(l.peer))?.hub);
		if (!hubLinked) void this.#announceOn(this.#hubs);
	}

	#announceOn(topic: string): Promise<boolean> {
		return this.#publish(topic, { type: 'announce', from: this.peerId, profile: this.#profile });
	}

	send(to: PeerId, message: Uint8Array): void {
		const link = this.#links.get(to);
		if (!link?.open) return;
		if (message.length > this.#maxBytes) {
			this.#log(`dropped a ${message.length}-byte message to ${to}: over the limit`);
			return;
		}
		link.queue.push(...toFrames(message));
		pump(link, this.#high);
	}

	/** Closes the connection to `peer`, which broke the protocol (or missed its handshake deadline):
	 *  it is not reconnected before a back-off, doubled at each offence. */
	disconnect(peer: PeerId, reason: string): void {
		if (this.#destroyed) return;
		const previous = this.#backoff.get(peer);
		clearTimeout(previous?.timer);
		const offences = (previous?.offences ?? 0) + 1;
		const wait = Math.min(this.#backoffMs * 2 ** (offences - 1), MAX_BACKOFF_MS);
		const backoff: Backoff = { until: Date.now() + wait, offences };
		remember(this.#backoff, peer, backoff, MAX_REMEMBERED);
		this.#log(`disconnected ${peer} (${reason}); not reconnecting for ${Math.round(wait / 1000)} s`);
		this.#close(peer);
		// Past the wait, offer to meet again if this side still has room for it.
		backoff.timer = this.#later(wait, () => {
			backoff.timer = undefined;
			if (this.#want() > 0 && !this.#links.has(peer)) this.#connectTo(peer);
		});
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#signaling.unsubscribe(...this.#subscriptions());
		for (const peer of [...this.#links.keys()]) this.#close(peer, { maintain: false });
		this.#teardown.dispose();
		this.#events.clear();
	}

	// --- Meeting: announces, answers, choice, maintenance. ---

	/** Links still wanted to reach the target (pending ones count). */
	#want(): number {
		return this.#bounds.target - this.#links.size - this.#requested.size;
	}

	/** Room for one more link, `peer`'s own pending one aside. */
	#room(peer?: PeerId): boolean {
		const pending = this.#links.size + this.#requested.size - (peer && this.#requested.has(peer) ? 1 : 0);
		return pending < this.#bounds.max;
	}

	#available(peer: PeerId, now = Date.now()): boolean {
		return (
			!this.#links.has(peer) &&
			!this.#requested.has(peer) &&
			!this.#backingOff(peer) &&
			(this.#cooldown.get(peer) ?? 0) <= now &&
			!this.#refuse(peer)
		);
	}

	#heard(peer: PeerId, profile: MeshProfile | undefined): void {
		this.#estimate.saw(peer);
		if (profile) remember(this.#profiles, peer, profile, MAX_REMEMBERED);
	}

	/** `heard`: how many peers heard this announce besides its sender, when the relay said (a
	 *  lobby shard's count); else the estimate of the centre's peers online. */
	#onAnnounce(from: PeerId, profile: MeshProfile | undefined, heard?: number): void {
		this.#heard(from, profile);
		if (this.#backingOff(from)) {
			this.#log(`ignored an announce from ${from}: backing off`);
			return;
		}
		if (this.#links.has(from) || this.#requested.has(from) || this.#refuse(from) || !this.#room()) return;
		const now = Date.now();
		if (now - (this.#lastReply.get(from) ?? 0) < REPLY_INTERVAL_MS) return;
		const p = replyProbability(this.#bounds.target, heard ?? this.#estimate.others());
		if (!this.#profile.hub && this.#random() >= p) return;
		remember(this.#lastReply, from, now, MAX_REMEMBERED);
		this.#publishTo(from, { type: 'present', from: this.peerId, to: from, profile: this.#profile });
	}

	#onPresent(from: PeerId, profile: MeshProfile): void {
		this.#heard(from, profile);
		remember(this.#candidates, from, { profile, at: Date.now() }, MAX_CANDIDATES);
		// Collect the answers for a moment, then choose among them.
		if (this.#gatherTimer) return;
		this.#gatherTimer = this.#later(this.#gatherMs, () => {
			this.#gatherTimer = undefined;
			this.#fill();
		});
	}

	/** Links to the best candidates until the target is reached; looks again if they run out. */
	#fill(): void {
		if (this.#destroyed) return;
		const want = this.#want();
		if (want <= 0) return;
		const now = Date.now();
		const pool = [];
		for (const [peer, c] of this.#candidates) {
			if (now - c.at > CANDIDATE_MS) this.#candidates.delete(peer);
			else if (this.#available(peer, now)) pool.push({ peer, profile: c.profile });
		}
		const linked = [...this.#links.values()].map(
			(l) => l.profile ?? this.#profiles.get(l.peer) ?? { floor: '' }
		);
		for (const peer of chooseLinks(this.#profile, linked, pool, want, this.#bounds.target, this.#random)) {
			this.#candidates.delete(peer);
			this.#connectTo(peer);
		}
		if (this.#want() > 0) this.#lookAgain();
	}

	/** Announces again later (backoff doubling up to a minute) if still below the target then. */
	#lookAgain(): void {
		if (this.#lookTimer || this.#destroyed) return;
		const jitter = 0.5 + this.#random();
		const delay = Math.max(
			this.#lookDelay * jitter,
			// Announces stay apart, and answers to the last one get time to come.
			Math.max(this.#lookAgainMs, this.#replyWaitMs) - (Date.now() - this.#lastAnnounce)
		);
		this.#lookDelay = Math.min(this.#lookDelay * 2, MAX_LOOK_AGAIN_MS);
		this.#lookTimer = this.#later(delay, () => {
			this.#lookTimer = undefined;
			if (this.#want() <= 0) return;
			// Answers already in hand first; then peers not asked yet.
			if (this.#hasCandidates()) return this.#fill();
			this.#announceAgain();
			this.#lookAgain();
		});
	}

	#hasCandidates(): boolean {
		const now = Date.now();
		for (const [peer, c] of this.#candidates)
			if (now - c.at <= CANDIDATE_MS && this.#available(peer, now)) return true;
		return false;
	}

	/** A link closed, was refused or timed out: make up for it, soon. */
	#maintain(): void {
		if (this.#destroyed || this.#want() <= 0) return;
		if (this.#hasCandidates()) {
			this.#later(0, () => this.#fill());
			return;
		}
		this.#lookAgain();
	}

	/** Starts a link with `peer`: the smaller id offers; the larger asks it to. */
	#connectTo(peer: PeerId): void {
		if (!this.#available(peer) || !this.#room()) return;
		if (this.peerId < peer) {
			this.#offer(peer).catch((err: unknown) => {
				// The link may have been closed (destroy, disconnect) while the offer was being made.
				if (!this.#destroyed) this.#log(`offer to ${peer} failed: ${String(err)}`);
			});
			return;
		}
		const timer = this.#later(this.#connectTimeout, () => {
			if (this.#requested.get(peer) !== timer) return;
			this.#requested.delete(peer);
			this.#stats.linksTimedOut++;
			this.#cool(peer);
			this.#maintain();
		});
		this.#requested.set(peer, timer);
		this.#publishTo(peer, { type: 'link', from: this.peerId, to: peer, profile: this.#profile });
	}

	#cool(peer: PeerId): void {
		remember(this.#cooldown, peer, Date.now() + COOLDOWN_MS, MAX_REMEMBERED);
	}

	#refused(peer: PeerId): boolean {
		if (this.#refuse(peer) || !this.#room(peer)) {
			this.#stats.linksRefused++;
			this.#publishTo(peer, { type: 'busy', from: this.peerId, to: peer });
			return true;
		}
		return false;
	}

	#onLink(from: PeerId, profile: MeshProfile | undefined): void {
		this.#heard(from, profile);
		if (this.#backingOff(from)) return this.#log(`ignored a link request from ${from}: backing off`);
		const existing = this.#links.get(from);
		if (existing?.open || existing?.initiator) return; // live, or our offer is on its way
		if (existing) this.#close(from, { maintain: false }); // it started over
		this.#release(from);
		if (this.#refused(from)) return;
		this.#offer(from, profile).catch((err: unknown) => {
			if (!this.#destroyed) this.#log(`offer to ${from} failed: ${String(err)}`);
		});
	}

	#onBusy(from: PeerId): void {
		const link = this.#links.get(from);
		if (link?.open) return; // a busy never closes a live link
		this.#stats.refusedByPeers++;
		this.#cool(from);
		this.#candidates.delete(from);
		if (link) this.#close(from, { maintain: false, only: link });
		this.#release(from);
		this.#maintain();
	}

	#onBye(from: PeerId): void {
		const link = this.#links.get(from);
		if (link?.open) return; // nor does a bye
		this.#cool(from);
		if (link) this.#close(from, { maintain: false, only: link });
		this.#release(from);
		this.#maintain();
	}

	/** Forgets a link request to `peer` (its offer came, or it refused). */
	#release(peer: PeerId): void {
		clearTimeout(this.#requested.get(peer));
		this.#requested.delete(peer);
	}

	// --- Signals: one peer's handled in order. ---

	#queue(from: PeerId, signal: Signal, heard?: number): void {
		const run = async () => {
			try {
				await this.#onSignal(from, signal, heard);
			} catch (err) {
				this.#log(`signal from ${from}: ${err instanceof Error ? err.message : String(err)}`);
			}
		};
		const next = (this.#chains.get(from) ?? Promise.resolve()).then(run);
		this.#chains.set(from, next);
		void next.then(() => {
			if (this.#chains.get(from) === next) this.#chains.delete(from);
		});
	}

	async #onSignal(from: PeerId, s: Signal, heard?: number): Promise<void> {
		if (this.#destroyed) return;
		switch (s.type) {
			case 'announce':
				return s.to ? this.#onLink(from, s.profile) : this.#onAnnounce(from, s.profile, heard);
			case 'present':
				return this.#onPresent(from, s.profile);
			case 'link':
				return this.#onLink(from, s.profile);
			case 'busy':
				return this.#onBusy(from);
			case 'bye':
				return this.#onBye(from);
			case 'signal':
				return this.#onRtcSignal(from, s);
		}
	}

	async #onRtcSignal(from: PeerId, sig: Extract<Signal, { type: 'signal' }>): Promise<void> {
		const existing = this.#links.get(from);
		if (sig.description?.type === 'offer') {
			if (this.#backingOff(from)) return this.#log(`ignored an offer from ${from}: backing off`);
			// A live link is never replaced: whoever sent this offer (a rogue peer using the id, a
			// stale or duplicated offer) gets no answer. The peer, if it is the real one and lost
			// the link, offers again once this side has seen it close.
			if (existing?.open) return this.#log(`ignored an offer from ${from}: its link is live`);
			// Both offered (a glare honest peers avoid): the smaller id's offer wins at both ends.
			if (existing?.initiator && this.peerId < from) return;
			// A half-open link is replaced: the peer started over (or lost the glare).
			if (existing) this.#close(from, { maintain: false, only: existing });
			this.#release(from);
			if (this.#refused(from)) return;
			const link = this.#link(from, false, this.#profiles.get(from));
			let answer: RTCSessionDescriptionInit;
			try {
				await link.pc.setRemoteDescription(sig.description);
				await flushCandidates(link);
				answer = await link.pc.createAnswer();
				await link.pc.setLocalDescription(answer);
			} catch (err) {
				this.#close(from, { only: link, maintain: false });
				throw err;
			}
			this.#describe(from, link, answer);
			return;
		}
		if (!existing) return;
		try {
			if (sig.description?.type === 'answer') {
				if (existing.pc.signalingState !== 'have-local-offer') return;
				await existing.pc.setRemoteDescription(sig.description);
				await flushCandidates(existing);
			}
			for (const candidate of sig.candidates ?? (sig.candidate ? [sig.candidate] : [])) {
				if (!existing.pc.remoteDescription) {
					if (existing.pendingCandidates.length < MAX_PENDING_CANDIDATES)
						existing.pendingCandidates.push(candidate);
				} else await existing.pc.addIceCandidate(candidate);
			}
		} catch (err) {
			// Only this attempt is given up: a later link with the peer is another object.
			this.#close(from, { only: existing, maintain: false });
			throw err;
		}
	}

	// --- Links. ---

	async #offer(to: PeerId, profile?: MeshProfile): Promise<void> {
		const link = this.#link(to, true, profile ?? this.#profiles.get(to));
		this.#attachChannel(to, link, link.pc.createDataChannel('plateau', { ordered: true }));
		let offer: RTCSessionDescriptionInit;
		try {
			offer = await link.pc.createOffer();
			await link.pc.setLocalDescription(offer);
		} catch (err) {
			this.#close(to, { only: link, maintain: false });
			throw err;
		}
		this.#describe(to, link, offer);
	}

	/** Sends this side's description once its candidates are gathered (or a moment has passed),
	 *  without holding up the peer's other signals. With no wait at all, the description goes as it
	 *  was created (no candidate in it) and every candidate follows it. */
	#describe(peer: PeerId, link: Link, created: RTCSessionDescriptionInit): void {
		if (this.#gatherWaitMs <= 0) return this.#sendDescription(peer, link, created);
		void gathered(link.pc, this.#gatherWaitMs).then(() => {
			const description = link.pc.localDescription;
			if (description) this.#sendDescription(peer, link, description);
		});
	}

	#sendDescription(peer: PeerId, link: Link, description: RTCSessionDescriptionInit): void {
		if (this.#links.get(peer) !== link || this.#destroyed) return;
		link.described = true;
		this.#publishTo(peer, {
			type: 'signal',
			from: this.peerId,
			to: peer,
			description: { type: description.type, sdp: trimCandidates(description.sdp ?? '', link.sentKeys) }
		});
		this.#trickle(peer, link);
	}

	#link(peer: PeerId, initiator: boolean, profile?: MeshProfile): Link {
		const pc = new this.#Impl(this.#config);
		const link = newLink(peer, pc, initiator, this.#maxBytes, profile);
		this.#links.set(peer, link);
		pc.onicecandidate = (e) => {
			if (this.#links.get(peer) !== link) return;
			// Found before the description is sent, a candidate goes inside it (unless descriptions go
			// at once: then every candidate follows it). After, it goes with the others found within a
			// moment, or at once when gathering completes (a null candidate).
			if (!link.described && this.#gatherWaitMs > 0) return;
			if (!e.candidate) link.gatheringDone = true;
			else if (this.#fresh(link, e.candidate.candidate)) link.outgoing.push(e.candidate.toJSON());
			if (link.described) this.#trickle(peer, link);
		};
		pc.ondatachannel = (e) => this.#attachChannel(peer, link, e.channel);
		pc.onconnectionstatechange = () => {
			if (pc.connectionState === 'failed' || pc.connectionState === 'closed')
				this.#close(peer, { only: link });
		};
		link.timer = setTimeout(() => {
			if (link.open || this.#links.get(peer) !== link || this.#destroyed) return;
			// Given up at both ends: the other side must not keep its half of it.
			this.#stats.linksTimedOut++;
			this.#publishTo(peer, { type: 'bye', from: this.peerId, to: peer });
			this.#cool(peer);
			this.#close(peer, { only: link, maintain: false });
			this.#maintain();
		}, this.#connectTimeout);
		return link;
	}

	/** Not a copy of a candidate this side already sent on `link` (trimCandidates). */
	#fresh(link: Link, candidate: string): boolean {
		const key = candidateKey(candidate);
		if (key === undefined) return true;
		if (link.sentKeys.has(key)) return false;
		link.sentKeys.add(key);
		return true;
	}

	/** Sends the late candidates waiting on `link` now if gathering is complete, else soon. */
	#trickle(peer: PeerId, link: Link): void {
		if (link.gatheringDone) this.#sendCandidates(peer, link);
		else if (link.outgoing.length)
			link.outgoingTimer ??= setTimeout(() => this.#sendCandidates(peer, link), CANDIDATE_BATCH_MS);
	}

	/** Sends this side's late candidates waiting on `link`: one on its own, several together. */
	#sendCandidates(peer: PeerId, link: Link): void {
		clearTimeout(link.outgoingTimer);
		link.outgoingTimer = undefined;
		const batch = link.outgoing.splice(0);
		if (batch.length === 0 || this.#links.get(peer) !== link) return;
		this.#stats.lateCandidatesSent += batch.length;
		this.#stats.candidateMessagesSent++;
		const base = { type: 'signal', from: this.peerId, to: peer } as const;
		this.#publishTo(
			peer,
			batch.length === 1 ? { ...base, candidate: batch[0] } : { ...base, candidates: batch }
		);
	}

	#attachChannel(peer: PeerId, link: Link, channel: RTCDataChannel): void {
		link.channel = channel;
		channel.binaryType = 'arraybuffer';
		channel.bufferedAmountLowThreshold = this.#high / 4;
		channel.onbufferedamountlow = () => pump(link, this.#high);
		channel.onopen = () => {
			if (this.#links.get(peer) !== link) return;
			clearTimeout(link.timer);
			link.open = true;
			this.#stats.linksOpened++;
			if (this.#want() <= 0) {
				this.#lookDelay = this.#lookAgainMs;
				// A later search starts again from the deepest shard.
				this.#level = undefined;
			}
			this.#events.emit('peer-connected', peer);
		};
		channel.onclose = () => this.#close(peer, { only: link });
		channel.onmessage = (e) => {
			if (this.#links.get(peer) !== link) return;
			const data = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : null;
			if (!data) return this.disconnect(peer, 'sent a text frame');
			let message: Uint8Array | null;
			try {
				message = link.reassembler.push(data);
			} catch (err) {
				return this.disconnect(peer, err instanceof FrameError ? err.message : String(err));
			}
			if (message) this.#events.emit('message', peer, message);
		};
	}

	/** Closes the link to `peer` (only if it is still `only`, when given: a replaced link's late
	 *  events must not close its successor). A live link that closes is made up for (`maintain`). */
	#close(peer: PeerId, { only, maintain = true }: { only?: Link; maintain?: boolean } = {}): void {
		const link = this.#links.get(peer);
		if (!link || (only && link !== only)) return;
		this.#links.delete(peer);
		closeLink(link);
		if (link.open) this.#events.emit('peer-disconnected', peer);
		if (maintain && link.open && !this.#destroyed)
			this.#later(250 + this.#random() * 500, () => this.#maintain());
	}

	// --- Plumbing. ---

	/** A timer cleared by destroy(). */
	#later(ms: number, run: () => void): ReturnType<typeof setTimeout> {
		const timer = setTimeout(() => {
			this.#timers.delete(timer);
			run();
		}, ms);
		this.#timers.add(timer);
		return timer;
	}

	#backingOff(peer: PeerId): boolean {
		const b = this.#backoff.get(peer);
		return b !== undefined && Date.now() < b.until;
	}

	#publishTo(peer: PeerId, signal: Signal): void {
		this.#publish(inboxTopic(this.#topic, peer), signal);
	}

	#publish(topic: string, signal: Signal): Promise<boolean> {
		if (this.#destroyed) return Promise.resolve(false);
		let sent: Promise<boolean>;
		try {
			sent = this.#signaling.publish(topic, signal);
		} catch (err) {
			// Too large or not JSON: a bug here, never a peer's doing.
			this.#log(`could not publish a ${signal.type}: ${String(err)}`);
			return Promise.resolve(false);
		}
		const bytes = JSON.stringify(signal).length;
		return sent.then((ok) => {
			if (!ok) return false;
			this.#stats.signalsSent++;
			count(this.#stats.sentByType, signal.type);
			this.#stats.signalBytesSent += bytes;
			if (signal.type === 'announce' && !signal.to) {
				if (topic === this.#topic) this.#stats.announcesSent++;
				else this.#stats.lobbyAnnouncesSent++;
			}
			return true;
		});
	}
}
