import { MemoryBusNetwork, type MemoryHubBus } from '../../src/lib/server/hub-bus-memory';
import { runHubBusContract } from './hub-bus-contract';

runHubBusContract('memory', {
	centre: async () => {
		const network = new MemoryBusNetwork();
		return { join: () => network.join(), interrupt: (bus) => network.drop(bus as MemoryHubBus) };
	},
	dispose: async () => {}
});
