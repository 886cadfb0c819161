// The network contract over real WebRTC in Chromium: RTCPeerConnections on loopback, meeting
// through Plateau's real signaling relay (started by the global setup), with encrypted signaling.
import { inject } from 'vitest';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { WebRtcMesh } from '../../src/lib/net/webrtc';
import { runNetworkContract } from '../contract/network-contract';

let room = 0;
const signalers = new Map<WebRtcMesh, SignalingClient>();

runNetworkContract('WebRTC mesh', {
	create: async (count) => {
		const key = await deriveCentreKey('contract-secret-0123456789', 'contract');
		const topic = `plateau-contract-${Date.now()}-${++room}`;
		return Array.from({ length: count }, () => {
			const signaling = new SignalingClient({ url: inject('signalingUrl'), key });
			const mesh = new WebRtcMesh({ signaling, topic, log: () => {} });
			signalers.set(mesh, signaling);
			return mesh;
		});
	},
	cut: async (a, b) => {
		// Keep them apart for the test: a leaves signaling (its other links stay) so they do not
		// reconnect, then closes its connection to b.
		signalers.get(a as WebRtcMesh)!.destroy();
		(a as WebRtcMesh).disconnect(b.peerId, 'cut by the test');
	},
	dispose: async (adapters) => {
		for (const a of adapters) {
			await a.destroy();
			signalers.get(a as WebRtcMesh)?.destroy();
			signalers.delete(a as WebRtcMesh);
		}
	}
});
