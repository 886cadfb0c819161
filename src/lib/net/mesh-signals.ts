// The mesh's signaling messages, where each one is published, and what a peer counts of them.
// Only the join announce goes to a meeting topic — a lobby shard, the hubs' topic or the centre topic
// (mesh-lobby.ts); everything addressed to one peer — a reply, a link request, a refusal, an offer,
// an answer, a candidate — goes to that peer's inbox topic, so the relay delivers it to that peer only and a join costs the others
// one message each instead of the whole handshake of every pair. The relay sees topic names only:
// the centre's and, for an inbox, a peer id; profiles (floor, agent) travel sealed inside.
//
// Every message names its sender (`from`, as y-webrtc's do; the signaling client refuses one whose
// name differs from the sender sealed in its envelope), and every targeted one its recipient (`to`).
// Anything malformed is dropped here, before the mesh looks at it.
import type { PeerId } from '../repo/network';

/** What a peer tells the centre about itself when it looks for links (sealed: only centre members
 *  read it). The joiner ranks the peers that answer by it. */
export interface MeshProfile {
	/** The floor the agent works on ('' when not chosen yet). */
	floor: string;
	/** The agent this device acts for: its other devices link to it first (personal space). */
	agentId?: string;
	/** An always-on peer (the hub, an archive): always answers an announce, preferred as a link. */
	hub?: boolean;
}

export type Signal =
	/** On the centre topic: "I am here and look for links". `to` is only in older directed announces,
	 *  read as a link request. */
	| { type: 'announce'; from: PeerId; to?: PeerId; profile?: MeshProfile }
	/** Reply to an announce, from a peer with room for one more link. */
	| { type: 'present'; from: PeerId; to: PeerId; profile: MeshProfile }
	/** "Please offer me a link" (the smaller id offers: sent by the larger one). */
	| { type: 'link'; from: PeerId; to: PeerId; profile?: MeshProfile }
	/** "No link with me now" (at the link cap, or refusing this peer). */
	| { type: 'busy'; from: PeerId; to: PeerId }
	/** "I gave up our half-open link" (it did not open in time): close yours too. */
	| { type: 'bye'; from: PeerId; to: PeerId }
	| {
			type: 'signal';
			from: PeerId;
			to: PeerId;
			description?: RTCSessionDescriptionInit;
			/** One candidate found after the description was sent. */
			candidate?: RTCIceCandidateInit;
			/** Several such candidates, found within a moment of each other: one message for all. */
			candidates?: RTCIceCandidateInit[];
	  };

export type SignalType = Signal['type'];

/** The topic only `peerId` subscribes to, next to the mesh topic (`<topic>/<peer id>`). */
export function inboxTopic(topic: string, peerId: PeerId): string {
	return `${topic}/${peerId}`;
}

const MAX_FIELD = 256;
/** Most candidates one message may carry (a peer gathers a few per network interface). */
export const MAX_CANDIDATES_PER_SIGNAL = 32;
const SIGNAL_TYPES = new Set<SignalType>(['announce', 'present', 'link', 'busy', 'bye', 'signal']);

const shortString = (v: unknown, max = MAX_FIELD): v is string => typeof v === 'string' && v.length <= max;

/** The profile if `value` is one (bounded strings), else undefined. */
export function asProfile(value: unknown): MeshProfile | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const p = value as Partial<MeshProfile>;
	if (!shortString(p.floor)) return undefined;
	if (p.agentId !== undefined && !shortString(p.agentId)) return undefined;
	if (p.hub !== undefined && typeof p.hub !== 'boolean') return undefined;
	const out: MeshProfile = { floor: p.floor };
	if (p.agentId) out.agentId = p.agentId;
	if (p.hub) out.hub = true;
	return out;
}

/** The signal `payload` holds, checked for shape (not for meaning), or undefined. */
export function asSignal(payload: unknown): Signal | undefined {
	if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
	const s = payload as Record<string, unknown>;
	if (!SIGNAL_TYPES.has(s.type as SignalType) || !shortString(s.from) || !s.from) return undefined;
	if (s.to !== undefined && !shortString(s.to)) return undefined;
	if (s.type !== 'announce' && s.to === undefined) return undefined;
	if (s.profile !== undefined) {
		const profile = asProfile(s.profile);
		if (!profile) return undefined;
		s.profile = profile;
	}
	if (s.type === 'present' && !s.profile) return undefined;
	if (
		s.candidates !== undefined &&
		(!Array.isArray(s.candidates) ||
			s.candidates.length > MAX_CANDIDATES_PER_SIGNAL ||
			s.candidates.some((c) => typeof c !== 'object' || c === null))
	)
		return undefined;
	return s as unknown as Signal;
}

/** What one peer's signaling cost it, since the mesh started: the scale benchmark reads it. */
export interface MeshStats {
	/** Signaling messages this peer published, and their payload bytes (JSON, before sealing). */
	signalsSent: number;
	signalBytesSent: number;
	/** Signaling messages the relay delivered to this peer on the mesh's topics and passed the
	 *  envelope checks, and their payload bytes. */
	signalsReceived: number;
	signalBytesReceived: number;
	/** The same two counts by message type (announce, present, link, busy, bye, signal). */
	sentByType: Partial<Record<SignalType, number>>;
	receivedByType: Partial<Record<SignalType, number>>;
	/** Announces published on the centre topic. */
	announcesSent: number;
	/** Announces published on lobby shards and on the hubs' topic (mesh-lobby.ts). */
	lobbyAnnouncesSent: number;
	/** Data channels opened. */
	linksOpened: number;
	/** Offers or link requests this peer refused with "busy" (at its cap, or refusing the peer). */
	linksRefused: number;
	/** "busy" replies this peer received. */
	refusedByPeers: number;
	/** Links that did not open in time (closed at both ends with "bye"). */
	linksTimedOut: number;
	/** ICE candidates sent after their description (late ones), and the messages that carried them
	 *  (candidates found within a moment of each other travel together). */
	lateCandidatesSent: number;
	candidateMessagesSent: number;
}

export function emptyStats(): MeshStats {
	return {
		signalsSent: 0,
		signalBytesSent: 0,
		signalsReceived: 0,
		signalBytesReceived: 0,
		sentByType: {},
		receivedByType: {},
		announcesSent: 0,
		lobbyAnnouncesSent: 0,
		linksOpened: 0,
		linksRefused: 0,
		refusedByPeers: 0,
		linksTimedOut: 0,
		lateCandidatesSent: 0,
		candidateMessagesSent: 0
	};
}
