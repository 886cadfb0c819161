import { describe, expect, it } from 'vitest';
import {
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
		{ type: 'docAwareness', docId: 'article/a', payload: bytes(6, 7) }
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
});
