// Who may publish articles until signed roles (issue 14, part 1) are wired in: the centre's
// administrators (the centre document's `admins`), and in the demo centre every agent of its
// directory, so a newcomer can try publishing. Read from the centre document, so every peer — the
// hub included — reaches the same verdict on a publication. To be replaced by the roles module's
// `mayPublish(agentId, topicId)`.
import type * as Y from 'yjs';
import type { PublishRights } from '../domain/revision';
import { readAdmins, readAgents, readCentreInfo } from './centre';

/** The demo centre's id (state/centre-credentials.ts). */
const DEMO_CENTRE = 'demo';

export function interimPublishRights(centreDoc: () => Y.Doc | undefined): PublishRights {
	return (agentId) => {
		const doc = centreDoc();
		if (!doc) return false;
		if (readAdmins(doc).has(agentId)) return true;
		return readCentreInfo(doc)?.id === DEMO_CENTRE && readAgents(doc).some((a) => a.id === agentId);
	};
}
