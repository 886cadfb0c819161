// What a modified client could do on its own device, for end-to-end tests of enforcement: sign a
// publication or a role grant with this device's real key, skipping every check the UI makes
// (the device's own repo takes the write; its peers must refuse it). Exposed to a page only where
// a test set `plateau:test-hooks` (wire.ts), never otherwise.
import type { GrantedRole, RoleScope } from '../domain/roles';
import type { AgentIdentity } from '../repo/identity';
import type { Repo } from '../repo/repo';
import { publishDraft } from '../repo/revisions';
import { writeRoleRecord } from '../schema/index';
import { docId } from '../domain/ids';

export interface Forgery {
	/** Publishes the article's draft as a revision signed by this device, whatever its rights. */
	publish(articleId: string, note: string): Promise<number>;
	/** Grants this device's agent a role, signed by itself. */
	grantSelf(role: GrantedRole, scope: RoleScope): Promise<string>;
}

export function forgery(repo: Repo, centreId: string, identity: AgentIdentity, name: () => string): Forgery {
	return {
		async publish(articleId, note) {
			const doc = await repo.open(docId('article', articleId));
			const record = await publishDraft(doc, articleId, identity, { note, publisherName: name() });
			return record.number;
		},
		async grantSelf(role, scope) {
			const centre = await repo.open(docId('centre', centreId));
			const record = await writeRoleRecord(centre, identity, {
				grantee: identity.agentId,
				role,
				scope,
				action: 'grant'
			});
			return record.id;
		}
	};
}
