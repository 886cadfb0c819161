import { describe, expect, it } from 'vitest';
import {
	BATCH_VERSION,
	decodeMessage,
	defaultProtocolLimits,
	encodeMessage,
	PROTOCOL_VERSION,
	ProtocolError,
	type SyncMessage
} from '../../src/lib/repo/sync-protocol';

const bytes = (...n: number[]) => new Uint8Array(n);

describe('sync protocol', () => {
	const messages: SyncMessage[] = [
		{
			type: 'hello',
			hello: { protocol: PROTOCOL_VERSION, agentId: 'agent-a', floor: 'bourse', spaces: ['kb'] }
		},
		{
			type: 'inventory',
			space: 'kb',
			entries: [
				['article/a', 'd1'],
				['article/b', 'd2']
			]
		},
		{ type: 'syncStep1', docId: 'article/a', stateVector: bytes(0) },
		{ type: 'syncStep2', docId: 'article/a', update: bytes(0, 0) },
		{ type: 'update', docId: 'article/a', update: bytes(1, 2, 3) },
		{ type: 'awareness', payload: bytes(4, 5) },
		{ type: 'docAwareness', docId: 'article/a', payload: bytes(6, 7) },
		{
			type: 'hello',
			hello: { protocol: PROTOCOL_VERSION, agentId: 'agent-h', floor: '', spaces: ['kb'], role: 'hub' }
		},
		{
			type: 'signed',
			entries: [
				{
					kind: 0,
					docId: 'note/a.b',
					update: bytes(1),
					chain: new Uint8Array(65).fill(4),
					signature: bytes(9)
				},
				{ kind: 1, docId: 'centre/x', update: bytes(2), chainRef: 1, signature: bytes(8) }
			]
		},
		{ type: 'logHashes', docId: 'note/a.b', hashes: [new Uint8Array(16).fill(1), new Uint8Array(16)] },
		{ type: 'logWant', docId: 'note/a.b', hashes: [] },
		{
			type: 'hello',
			hello: {
				protocol: PROTOCOL_VERSION,
				agentId: 'agent-b',
				floor: 'bourse',
				spaces: ['kb'],
				batch: BATCH_VERSION
			}
		},
		{
			type: 'syncStep1Batch',
			docs: [
				['article/a', bytes(0)],
				['article/b', bytes(1, 5, 2)]
			]
		},
		{ type: 'syncStep2Batch', docs: [['article/a', bytes(0, 0)]] }
	];
	it.each(messages.map((m) => [m.type, m]))('round-trips %s', (_type, m) => {
		expect(decodeMessage(encodeMessage(m))).toEqual(m);
	});

	it('refuses unknown types, trailing bytes, empty ids and oversized messages with a reason', () => {
		expect(() => decodeMessage(bytes(99))).toThrow(/unknown message type 99/);
		const withTrailing = new Uint8Array([...encodeMessage(messages[4]!), 0]);
		expect(() => decodeMessage(withTrailing)).toThrow(/trailing bytes/);
		expect(() =>
			decodeMessage(encodeMessage({ type: 'docAwareness', docId: '', payload: bytes(1) }))
		).toThrow(/bad id/);
		expect(() =>
			decodeMessage(new Uint8Array(64), { ...defaultProtocolLimits, maxMessageBytes: 32 })
		).toThrow(ProtocolError);
	});

	it('refuses signed entries with a bad chain, kind or signature, too many entries or hashes, and unknown roles', () => {
		const entry = {
			kind: 0,
			docId: 'note/a.b',
			update: bytes(1),
			chain: new Uint8Array(65),
			signature: bytes(1)
		};
		const signed = (e: object) => encodeMessage({ type: 'signed', entries: [{ ...entry, ...e }] });
		expect(() => decodeMessage(signed({ chain: new Uint8Array(10) }))).toThrow(/bad key chain/);
		expect(() => decodeMessage(signed({ kind: 7 }))).toThrow(/unknown entry kind 7/);
		expect(() => decodeMessage(signed({ signature: new Uint8Array(100) }))).toThrow(/bad signature/);
		const many = encodeMessage({ type: 'signed', entries: [entry, entry, entry] });
		expect(() => decodeMessage(many, { ...defaultProtocolLimits, maxEntriesPerMessage: 2 })).toThrow(
			/3 entries/
		);
		const hashes = encodeMessage({ type: 'logHashes', docId: 'note/a.b', hashes: [new Uint8Array(16)] });
		expect(() => decodeMessage(hashes, { ...defaultProtocolLimits, maxLogHashes: 0 })).toThrow(/too long/);
		const hello = encodeMessage({
			type: 'hello',
			hello: { protocol: PROTOCOL_VERSION, agentId: 'a', floor: '', spaces: [], role: 'admin' as 'hub' }
		});
		expect(() => decodeMessage(hello)).toThrow(/bad role/);
	});

	it('refuses batches that are empty, too long, over the byte limit or name a document twice', () => {
		const step2 = (n: number, size: number) =>
			encodeMessage({
				type: 'syncStep2Batch',
				docs: Array.from(
					{ length: n },
					(_, i) => [`article/${i}`, new Uint8Array(size)] as [string, Uint8Array]
				)
			});
		expect(() => decodeMessage(encodeMessage({ type: 'syncStep1Batch', docs: [] }))).toThrow(/0 documents/);
		const many = encodeMessage({
			type: 'syncStep1Batch',
			docs: Array.from({ length: 1025 }, (_, i) => [`article/${i}`, bytes(0)] as [string, Uint8Array])
		});
		expect(() => decodeMessage(many)).toThrow(/1025 documents in one batch/);
		// Two documents of 130 KiB: under the message limit (32 MiB), over a batch's (256 KiB).
		expect(() => decodeMessage(step2(2, 130 * 1024))).toThrow(/exceeds the 262144-byte batch limit/);
		expect(decodeMessage(step2(2, 120 * 1024)).type).toBe('syncStep2Batch');
		const twice = encodeMessage({
			type: 'syncStep2Batch',
			docs: [
				['article/a', bytes(0, 0)],
				['article/a', bytes(0, 0)]
			]
		});
		expect(() => decodeMessage(twice)).toThrow(/article\/a twice/);
	});

	it('speaks a later batch version at its own, and ignores a malformed one', () => {
		const hello = (batch: unknown) =>
			decodeMessage(
				encodeMessage({
					type: 'hello',
					hello: { protocol: PROTOCOL_VERSION, agentId: 'a', floor: '', spaces: [], batch: batch as number }
				})
			);
		expect(hello(BATCH_VERSION + 3)).toMatchObject({ hello: { batch: BATCH_VERSION } });
		expect((hello('yes') as { hello: object }).hello).not.toHaveProperty('batch');
		expect((hello(0) as { hello: object }).hello).not.toHaveProperty('batch');
	});
});
