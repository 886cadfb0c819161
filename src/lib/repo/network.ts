// The network boundary. An adapter connects this device to peers and carries opaque messages; the
// Synchronizer (sync.ts) decides what to say. Adapters: memory (tests), BroadcastChannel (tabs of
// one browser), WebRTC mesh (peers on the floors), each passing the same contract suite.

export type PeerId = string;

export interface NetworkEvents {
	/** A peer can now be sent messages. */
	'peer-connected': (peer: PeerId) => void;
	/** The peer is gone (closed, timed out, network lost). */
	'peer-disconnected': (peer: PeerId) => void;
	/** A whole message from a peer (adapters reassemble whatever they had to cut). */
	message: (from: PeerId, message: Uint8Array) => void;
}

export interface NetworkAdapter {
	/** This device's id on the network, unique per running instance. */
	readonly peerId: PeerId;
	/** Peers currently connected. */
	peers(): PeerId[];
	/** Sends a message to one connected peer: delivered whole, in order, or not at all (the peer
	 *  then disconnects). Messages to unknown peers are dropped. */
	send(to: PeerId, message: Uint8Array): void;
	/** Subscribes to an event; returns the unsubscribe function. */
	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void;
	/** Channel binding of the live connection to `peer`: a string both ends of that one connection
	 *  compute identically, which no relay or man in the middle can make equal for two different
	 *  connections (for WebRTC: both DTLS certificate fingerprints from the SDP, sorted). The hello
	 *  proof signs it, so a proof relayed from another connection fails. Undefined when the peer is not
	 *  connected or the transport offers no binding (the peer then stays unproven). */
	channelBinding(peer: PeerId): string | undefined;
	/** Closes the connection to one peer (a peer that broke the protocol or missed its handshake deadline). */
	disconnect(peer: PeerId, reason: string): void;
	/** Leaves the network; the adapter is unusable afterwards. */
	destroy(): Promise<void>;
}
