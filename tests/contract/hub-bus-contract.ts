// The contract every HubBus passes (memory and Redis): run by each implementation's test file with
// its own setup. A "centre" is one bus network (a Redis key prefix); its instances are joined buses.
import { afterEach, describe, expect, it } from 'vitest';
import type { HubBus, HubMessage } from '../../src/lib/server/hub-bus';

export interface HubBusCentre {
	/** One more hub instance of this centre. */
	join(): HubBus;
	/** Breaks `bus`'s connection as a network failure or a server restart would. */
	interrupt(bus: HubBus): Promise<void>;
}

export interface HubBusSetup {
	/** A new centre, isolated from every other. */
	centre(): Promise<HubBusCentre>;
	/** Releases whatever `centre` made (its buses are destroyed by the contract first). */
	dispose(centre: HubBusCentre): Promise<void>;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

const bytes = (...values: number[]) => new Uint8Array(values);

export function runHubBusContract(name: string, setup: HubBusSetup): void {
	describe(`HubBus contract: ${name}`, () => {
		const centres: HubBusCentre[] = [];
		const buses: HubBus[] = [];
		const centre = async () => {
			const c = await setup.centre();
			centres.push(c);
			return {
				join: () => {
					const bus = c.join();
					buses.push(bus);
					return bus;
				},
				interrupt: (bus: HubBus) => c.interrupt(bus)
			};
		};
		afterEach(async () => {
			for (const b of buses.splice(0)) await b.destroy();
			for (const c of centres.splice(0)) await setup.dispose(c);
		});
		const inbox = (bus: HubBus, docId: string) => {
			const got: HubMessage[] = [];
			const sub = bus.subscribe(docId, (m) => got.push(m));
			return { got, sub };
		};

		it('delivers a message to every other subscribed instance, whole and tagged, never back to its sender', async () => {
			const c = await centre();
			const [a, b, d] = [c.join(), c.join(), c.join()];
			expect(new Set([a.instanceId, b.instanceId, d.instanceId]).size).toBe(3);
			const atA = inbox(a, 'article/1');
			const atB = inbox(b, 'article/1');
			const atD = inbox(d, 'article/1');
			await Promise.all([atA.sub.ready, atB.sub.ready, atD.sub.ready]);
			await a.publish('article/1', 'update', bytes(1, 2, 3));
			await a.publish('article/1', 'awareness', bytes(9));
			await waitFor(() => atB.got.length === 2 && atD.got.length === 2, 'both messages at b and d');
			for (const got of [atB.got, atD.got]) {
				expect(got).toEqual([
					{ docId: 'article/1', kind: 'update', data: bytes(1, 2, 3), from: a.instanceId },
					{ docId: 'article/1', kind: 'awareness', data: bytes(9), from: a.instanceId }
				]);
				expect(got[0]!.data).toBeInstanceOf(Uint8Array);
			}
			// A's own messages came back to nobody at A; a later message from B does reach A.
			await b.publish('article/1', 'update', bytes(4));
			await waitFor(() => atA.got.length === 1, 'b’s message at a');
			expect(atA.got[0]!.from).toBe(b.instanceId);
		});

		it('keeps publishing order, delivers 1 MiB intact, and only on the document subscribed', async () => {
			const c = await centre();
			const [a, b] = [c.join(), c.join()];
			const one = inbox(b, 'article/one');
			const other = inbox(b, 'article/other');
			await Promise.all([one.sub.ready, other.sub.ready]);
			const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
			const sends = [];
			for (let i = 0; i < 200; i++) sends.push(a.publish('article/one', 'update', bytes(i & 0xff, i >> 8)));
			sends.push(a.publish('article/one', 'update', big));
			sends.push(a.publish('article/unheard', 'update', bytes(7)));
			await Promise.all(sends);
			await waitFor(() => one.got.length === 201, '201 messages');
			expect(one.got.slice(0, 200).map((m) => m.data[0]! + (m.data[1]! << 8))).toEqual([
				...Array(200).keys()
			]);
			const got = one.got[200]!.data;
			expect(got.length).toBe(big.length);
			expect(got.every((v, i) => v === big[i])).toBe(true);
			expect(other.got).toEqual([]);
		});

		it('calls every local listener of a document, and stops calling one once it unsubscribes', async () => {
			const c = await centre();
			const [a, b] = [c.join(), c.join()];
			const first = inbox(b, 'article/u');
			const second = inbox(b, 'article/u');
			await Promise.all([first.sub.ready, second.sub.ready]);
			await a.publish('article/u', 'update', bytes(1));
			await waitFor(() => first.got.length === 1 && second.got.length === 1, 'both listeners');
			first.sub();
			first.sub(); // twice is harmless
			await a.publish('article/u', 'update', bytes(2));
			await waitFor(() => second.got.length === 2, 'the second message at the remaining listener');
			expect(first.got).toHaveLength(1);
			// The last listener leaving ends the subscription; subscribing again works.
			second.sub();
			await a.publish('article/u', 'update', bytes(3));
			const again = inbox(b, 'article/u');
			await again.sub.ready;
			await a.publish('article/u', 'update', bytes(4));
			await waitFor(() => again.got.length >= 1, 'the message after resubscribing');
			expect(again.got.map((m) => m.data[0])).toEqual([4]);
			expect(second.got).toHaveLength(2);
		});

		it('keeps centres apart', async () => {
			const c1 = await centre();
			const c2 = await centre();
			const a = c1.join();
			const other = inbox(c2.join(), 'article/x');
			const same = inbox(c1.join(), 'article/x');
			await Promise.all([other.sub.ready, same.sub.ready]);
			await a.publish('article/x', 'update', bytes(1));
			await waitFor(() => same.got.length === 1, 'delivery in the same centre');
			await a.publish('article/x', 'update', bytes(2));
			await waitFor(() => same.got.length === 2, 'second delivery in the same centre');
			expect(other.got).toEqual([]);
		});

		it('comes back after its connection breaks: resync, then subscriptions work again', async () => {
			const c = await centre();
			const [a, b] = [c.join(), c.join()];
			const atB = inbox(b, 'article/r');
			await atB.sub.ready;
			let resyncs = 0;
			b.onResync(() => resyncs++);
			let aResyncs = 0;
			a.onResync(() => aResyncs++);
			await c.interrupt(b);
			await waitFor(() => resyncs === 1, 'b to resync', 15_000);
			await a.publish('article/r', 'update', bytes(5));
			await waitFor(() => atB.got.some((m) => m.data[0] === 5), 'a message after the resync', 15_000);
			// A subscription made after the break works too, and the unaffected instance never resynced.
			const later = inbox(b, 'article/later');
			await later.sub.ready;
			await a.publish('article/later', 'awareness', bytes(6));
			await waitFor(() => later.got.length === 1, 'the new subscription');
			expect(aResyncs).toBe(0);
			expect(resyncs).toBe(1);
		}, 30_000);

		it('refuses to publish once destroyed and delivers nothing more to it', async () => {
			const c = await centre();
			const [a, b] = [c.join(), c.join()];
			const atB = inbox(b, 'article/d');
			const witness = inbox(c.join(), 'article/d');
			await Promise.all([atB.sub.ready, witness.sub.ready]);
			await b.destroy();
			await expect(b.publish('article/d', 'update', bytes(1))).rejects.toThrow(/destroyed/);
			await a.publish('article/d', 'update', bytes(2));
			await waitFor(() => witness.got.length === 1, 'the witness to get it');
			expect(atB.got).toEqual([]);
		});
	});
}
