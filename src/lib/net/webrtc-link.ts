// One WebRTC link of the mesh: its RTCPeerConnection, its one ordered reliable data channel, the
// frames waiting for the channel's buffer to drain, and the reassembly of what arrives. The mesh
// (webrtc.ts) decides which links exist; this file holds what a link is and how it sends.
import type { PeerId } from '../repo/network';
import { Reassembler } from './chunking';
import type { MeshProfile } from './mesh-signals';

export interface Link {
	peer: PeerId;
	pc: RTCPeerConnection;
	channel?: RTCDataChannel;
	open: boolean;
	/** This side made the offer (and created the data channel). */
	initiator: boolean;
	/** What the peer said about itself, when known (ranking keeps a share of links across floors). */
	profile?: MeshProfile;
	queue: Uint8Array[];
	reassembler: Reassembler;
	/** Closes the link if it is not open in time. */
	timer?: ReturnType<typeof setTimeout>;
	pendingCandidates: RTCIceCandidateInit[];
	/** This side's description was sent: candidates found from now on go on their own. */
	described: boolean;
	/** Late candidates of this side waiting to go out together, and the timer that sends them. */
	outgoing: RTCIceCandidateInit[];
	outgoingTimer?: ReturnType<typeof setTimeout>;
	/** This side's ICE gathering completed (its last candidate was found). */
	gatheringDone: boolean;
	/** Keys (candidateKey) of the candidates this side sent, in its description or after it. */
	sentKeys: Set<string>;
}

export function newLink(
	peer: PeerId,
	pc: RTCPeerConnection,
	initiator: boolean,
	maxMessageBytes: number,
	profile?: MeshProfile
): Link {
	return {
		peer,
		pc,
		open: false,
		initiator,
		profile,
		queue: [],
		reassembler: new Reassembler(maxMessageBytes),
		pendingCandidates: [],
		described: false,
		outgoing: [],
		gatheringDone: false,
		sentKeys: new Set()
	};
}

/** The DTLS certificate fingerprints an SDP declares, normalised (`sha-256 AB:CD:…`). */
export function sdpFingerprints(sdp: string | undefined): string[] {
	const found = new Set<string>();
	for (const m of (sdp ?? '').matchAll(/^a=fingerprint:(\S+)[ \t]+([0-9A-Fa-f:]+)\s*$/gm))
		found.add(`${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}`);
	return [...found];
}

/** Both DTLS certificate fingerprints of the live connection (this side's and the peer's, from the
 *  local and remote SDP), sorted: the same at both ends, and different on the two sides of a man in
 *  the middle, who holds neither end's certificate key. */
export function linkBinding(link: Link | undefined): string | undefined {
	if (!link?.open) return undefined;
	const local = sdpFingerprints(link.pc.localDescription?.sdp);
	const remote = sdpFingerprints(link.pc.remoteDescription?.sdp);
	if (local.length === 0 || remote.length === 0) return undefined;
	return `webrtc-dtls:${[...new Set([...local, ...remote])].sort().join(',')}`;
}

/** What makes an ICE candidate distinct for its peer: its foundation (type, base address, protocol,
 *  server), component, protocol and TCP type. One session has one candidate of each; undefined for
 *  a line that is not a candidate (an end-of-candidates). */
export function candidateKey(candidate: string): string | undefined {
	const m = /^(?:a=)?candidate:(\S+) (\d+) (\S+) /i.exec(candidate.trim());
	if (!m) return undefined;
	const tcpType = / tcptype (\S+)/i.exec(candidate)?.[1] ?? '';
	return `${m[1]} ${m[2]} ${m[3]!.toLowerCase()} ${tcpType.toLowerCase()}`;
}

/**
 * `sdp` keeping only the first candidate of each key, the keys kept added to `sent`. Node's
 * `@roamhq/wrtc` lists in every session the passive TCP candidates of every session gathering at the
 * same time in the process (same foundation, other ports): a hub or a bench process with hundreds
 * of connections wrote descriptions of dozens of KB, near the relay's 64 KiB cap. Browsers list one
 * of each; for them nothing changes.
 */
export function trimCandidates(sdp: string, sent: Set<string>): string {
	const lines = sdp.split(/\r\n|\n/);
	const kept = lines.filter((line) => {
		if (!line.startsWith('a=candidate:')) return true;
		const key = candidateKey(line);
		if (key === undefined) return true;
		if (sent.has(key)) return false;
		sent.add(key);
		return true;
	});
	return kept.length === lines.length ? sdp : kept.join('\r\n');
}

/** Sends queued frames while the channel's buffer is under `highWaterMark`. */
export function pump(link: Link, highWaterMark: number): void {
	const channel = link.channel;
	if (!channel || channel.readyState !== 'open') return;
	while (link.queue.length && channel.bufferedAmount < highWaterMark) {
		channel.send(link.queue.shift()! as Uint8Array<ArrayBuffer>);
	}
}

/** Resolves once ICE gathering is complete, or after `ms`: a description sent then carries the
 *  candidates found so far (one message instead of one per candidate; on a local network with no
 *  ICE servers gathering takes milliseconds). Later ones are sent on their own. */
export function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
	if (pc.iceGatheringState === 'complete') return Promise.resolve();
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			pc.removeEventListener('icegatheringstatechange', check);
			resolve();
		};
		const check = () => {
			if (pc.iceGatheringState === 'complete' || pc.signalingState === 'closed') done();
		};
		const timer = setTimeout(done, ms);
		pc.addEventListener('icegatheringstatechange', check);
	});
}

/** Adds candidates that arrived before the remote description. */
export async function flushCandidates(link: Link): Promise<void> {
	for (const c of link.pendingCandidates.splice(0)) await link.pc.addIceCandidate(c);
}

/** Releases the link's connection and timer. */
export function closeLink(link: Link): void {
	clearTimeout(link.timer);
	clearTimeout(link.outgoingTimer);
	link.channel?.close();
	link.pc.close();
}
