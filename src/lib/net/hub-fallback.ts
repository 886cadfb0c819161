// When a browser opens its WebSocket to the hub: where a network blocks WebRTC, the mesh reaches no
// hub, so after a few seconds without a link to one the hub socket is opened and added to the
// browser's CompositeNetwork (which then reaches the hub over it). Which mesh peers count as a hub is
// a predicate: any link at all by default; the hub's WebRTC profile (`profile.hub`) when the mesh
// announces it. Once opened, the socket stays (the composite uses whichever transport reached the
// hub first, and switches when one closes).
import type { Dispose } from '../domain/emitter';
import type { NetworkAdapter, PeerId } from '../repo/network';
import type { CompositeNetwork } from './composite';

export interface HubFallbackOptions {
	composite: CompositeNetwork;
	/** The WebRTC mesh (or any transport whose links may reach a hub). */
	mesh: NetworkAdapter;
	/** Opens the hub socket (called at most once). */
	open: () => NetworkAdapter;
	/** Whether a mesh peer is a hub. Default: every peer counts (no WebRTC link at all → fallback). */
	isHub?: (peer: PeerId) => boolean;
	/** How long the mesh has to reach a hub, checked again at this interval. Default 5,000 ms. */
	waitMs?: number;
	/** Open at once (WebRTC blocked, or the test hook says so). */
	now?: boolean;
}

/** Starts watching; returns the function that stops it (the socket, if opened, belongs to the
 *  composite, which destroys it with itself). */
export function hubFallback(options: HubFallbackOptions): Dispose {
	const { composite, mesh, open, isHub = () => true, waitMs = 5_000 } = options;
	const timers: ReturnType<typeof setInterval>[] = [];
	const stop = () => timers.forEach(clearInterval);
	const openNow = () => {
		stop();
		const socket = open();
		try {
			composite.add(socket);
		} catch {
			void socket.destroy(); // the composite was destroyed meanwhile
		}
	};
	if (options.now) {
		openNow();
		return stop;
	}
	timers.push(
		setInterval(() => {
			if (composite.adapters().length === 0) return stop(); // destroyed
			if (!mesh.peers().some(isHub)) openNow();
		}, waitMs)
	);
	return stop;
}
