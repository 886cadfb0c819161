// Who may publish articles of a topic, as every peer judges a publication it receives: an expert of
// the topic (or of a topic above it) or a knowledge manager of the centre or of a floor owning the
// topic, by the centre document's signed role records (schema/roles.ts). The records are verified
// before the verdict, so a peer that has not yet looked at its roles (a hub, a device just started)
// judges as one that has.
//
// A device or hub that does not hold the centre's first state yet (it is being filled: articles and
// the centre document come from the same peer, in no fixed order) waits for it, up to `waitMs`,
// before judging: otherwise every published article that arrived first would be refused until the
// next reconnection. A centre document that holds a state is judged at once, as it stands.
import type * as Y from 'yjs';
import type { PublishRights } from '../domain/revision';
import { isCentreUnset } from './centre';
import { effectiveRolesNow, roleRecordTexts, roleVerifications } from './roles';

/** How long a judgement waits for the centre document's first state. */
export const CENTRE_WAIT_MS = 20_000;

export function rolePublishRights(
	centreDoc: () => Y.Doc | undefined,
	options: { waitMs?: number } = {}
): PublishRights {
	const waitMs = options.waitMs ?? CENTRE_WAIT_MS;
	return async (agentId, topicId) => {
		const doc = centreDoc();
		if (!doc) return false;
		if (isCentreUnset(doc)) await firstState(doc, waitMs);
		await roleVerifications.verify(roleRecordTexts(doc).values());
		return effectiveRolesNow(doc).mayPublish(agentId, topicId);
	};
}

/** Resolves once the centre document holds a state, or after `ms`. */
function firstState(doc: Y.Doc, ms: number): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			doc.off('update', onUpdate);
			resolve();
		};
		const onUpdate = () => {
			if (!isCentreUnset(doc)) done();
		};
		const timer = setTimeout(done, ms);
		doc.on('update', onUpdate);
	});
}
