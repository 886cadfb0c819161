// Signaling topic names. Browser and Node peers of one centre must meet on the same topic, so the
// name is built in one place. Topic names are the only thing the signaling server sees in clear.

/** The topic on which the WebRTC mesh of a centre meets. */
export function meshTopic(centreId: string): string {
	if (typeof centreId !== 'string' || centreId.length === 0) throw new TypeError('meshTopic: the centre id is empty');
	return `plateau:${centreId}`;
}
