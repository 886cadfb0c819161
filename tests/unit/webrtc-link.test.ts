// Candidate de-duplication of the WebRTC mesh's descriptions (src/lib/net/webrtc-link.ts): Node's
// `@roamhq/wrtc` lists, in every session, the passive TCP candidates of all the sessions gathering at
// once in the process; a description keeps one candidate per foundation, component, protocol and
// TCP type, and a late candidate already sent is not sent again.
import { describe, expect, it } from 'vitest';
import { candidateKey, trimCandidates } from '../../src/lib/net/webrtc-link';

const udp4 = 'a=candidate:3229573512 1 udp 2122194687 192.0.2.2 46398 typ host generation 0 network-id 1';
const udp6 = 'a=candidate:3077952869 1 udp 2122265343 fd00::2 35139 typ host generation 0 network-id 2';
const tcp = (port: number) =>
	`a=candidate:2398920056 1 tcp 1518214911 192.0.2.2 ${port} typ host tcptype passive generation 0 network-id 1`;
const sdp = (lines: string[]) =>
	['v=0', 'm=application 46398 UDP/DTLS/SCTP webrtc-datachannel', ...lines, 'a=mid:0', ''].join('\r\n');

describe('candidateKey', () => {
	it('names foundation, component, protocol and TCP type, with or without the a= prefix', () => {
		expect(candidateKey(udp4)).toBe('3229573512 1 udp ');
		expect(candidateKey(tcp(45343))).toBe('2398920056 1 tcp passive');
		expect(candidateKey(tcp(45343).slice(2))).toBe(candidateKey(tcp(50771)));
		expect(candidateKey('a=candidate:2398920056 2 tcp 1 192.0.2.2 9 typ host tcptype passive')).not.toBe(
			candidateKey(tcp(9))
		);
		expect(candidateKey('')).toBeUndefined();
		expect(candidateKey('a=mid:0')).toBeUndefined();
	});
});

describe('trimCandidates', () => {
	it('keeps the first candidate of each key and every other line, in order', () => {
		const sent = new Set<string>();
		const out = trimCandidates(sdp([udp6, udp4, tcp(45343), tcp(39811), tcp(52089)]), sent);
		expect(out).toBe(sdp([udp6, udp4, tcp(45343)]));
		expect(sent.size).toBe(3);
	});

	it('leaves a description with distinct candidates as it is', () => {
		const original = sdp([udp6, udp4, tcp(45343)]);
		expect(trimCandidates(original, new Set())).toBe(original);
	});

	it('drops candidates already sent on the link', () => {
		const sent = new Set([candidateKey(udp4)!]);
		expect(trimCandidates(sdp([udp6, udp4]), sent)).toBe(sdp([udp6]));
	});
});
