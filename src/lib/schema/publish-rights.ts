// Who may publish articles of a topic, as every peer judges a publication it receives: an expert of
// the topic (or of a topic above it) or a knowledge manager of the centre or of a floor owning the
// topic, by the centre document's signed role records (schema/roles.ts). The records are verified
// before the verdict, so a peer that has not yet looked at its roles (a hub, a device just started)
// judges as one that has.
import type * as Y from 'yjs';
import type { PublishRights } from '../domain/revision';
import { effectiveRolesNow, roleRecordTexts, roleVerifications } from './roles';

export function rolePublishRights(centreDoc: () => Y.Doc | undefined): PublishRights {
	return async (agentId, topicId) => {
		const doc = centreDoc();
		if (!doc) return false;
		await roleVerifications.verify(roleRecordTexts(doc).values());
		return effectiveRolesNow(doc).mayPublish(agentId, topicId);
	};
}
