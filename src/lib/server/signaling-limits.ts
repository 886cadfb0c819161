// The figures that bound what one client, and all clients together, can cost the signaling relay,
// and the close codes a client sees when it crosses one. docs/decisions.md ("Relay limits") has the
// measurements behind the defaults.

export interface SignalingLimits {
	/** Largest accepted message, bytes. A WebRTC offer with many candidates is ~5 KiB; 64 KiB is generous. */
	maxMessageBytes: number;
	/** Topics one connection may hold; one topic per centre space plus a few. */
	maxTopicsPerConnection: number;
	/** Messages accepted per connection per rate window. */
	maxMessagesPerWindow: number;
	rateWindowMs: number;
	/** A connection that sends nothing (not even a ping) for this long is closed. */
	idleTimeoutMs: number;
	/**
	 * Bytes that may wait in one connection's outgoing queue (ws `bufferedAmount`, beyond what the
	 * kernel's socket buffers took). A client that stops reading crosses it and is closed as a slow
	 * consumer: without it, every publish to a non-reading subscriber stays in the relay's memory.
	 */
	maxBufferedBytes: number;
	/** A slow consumer is asked to close; its queue is freed (socket destroyed) after this at most. */
	slowConsumerGraceMs: number;
	/** Open (and opening) signaling connections, all clients together. */
	maxConnections: number;
	/** Open (and opening) signaling connections from one client address. */
	maxConnectionsPerAddress: number;
}

export const defaultSignalingLimits: SignalingLimits = {
	maxMessageBytes: 64 * 1024,
	maxTopicsPerConnection: 64,
	maxMessagesPerWindow: 300,
	rateWindowMs: 10_000,
	idleTimeoutMs: 60_000,
	maxBufferedBytes: 256 * 1024,
	slowConsumerGraceMs: 2_000,
	maxConnections: 2_000,
	maxConnectionsPerAddress: 256
};

/** Close codes a client can show to its agent. */
export const SignalingClose = {
	tooLarge: 1009,
	policy: 1008,
	idle: 4000,
	/** The client did not read what it was sent fast enough; it may reconnect. */
	slowConsumer: 4008
} as const;

/** HTTP statuses of a refused signaling upgrade (the WebSocket never opens). */
export const SignalingRefusal = {
	/** Origin not in the allow-list. */
	origin: 403,
	/** This address already holds maxConnectionsPerAddress connections. */
	perAddress: 429,
	/** The relay already holds maxConnections connections. */
	full: 503
} as const;
