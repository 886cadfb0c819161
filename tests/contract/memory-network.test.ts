import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { runNetworkContract } from './network-contract';

runNetworkContract('memory', {
	create: async (count) => {
		const hub = new MemoryHub();
		return Array.from({ length: count }, (_, i) => hub.join(`peer-${i}`));
	},
	cut: async (a, b) => (a as MemoryNetworkAdapter).hub.unlink(a.peerId, b.peerId),
	dispose: async (adapters) => {
		for (const a of adapters) await a.destroy();
	}
});
