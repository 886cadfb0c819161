// Which documents may go to which peer. A peer is sent — and may write — only documents of spaces
// both sides belong to; a personal space is shared only between devices of the same agent.
import { parseDocId, KB_SPACE } from '../domain/ids';
import type { Hello } from './sync-protocol';

export interface SharePolicy {
	/** Spaces this device belongs to, announced to peers. */
	spaces(): string[];
	/** The space a document belongs to, or undefined for documents never shared. */
	spaceOf(docId: string): string | undefined;
	/** Whether the document may be exchanged with this peer. */
	mayShare(peer: Hello, docId: string): boolean;
}

export function personalSpace(agentId: string): string {
	return `personal:${agentId}`;
}

/** The centre's policy: the knowledge base (articles, its catalog, the centre document) is shared
 *  with every peer of the centre; a personal space only with the same agent's devices. */
export class CentreSharePolicy implements SharePolicy {
	constructor(
		readonly agentId: string,
		readonly extraSpaces: () => string[] = () => []
	) {}

	spaces(): string[] {
		return [KB_SPACE, personalSpace(this.agentId), ...this.extraSpaces()];
	}

	spaceOf(docId: string): string | undefined {
		const parsed = parseDocId(docId);
		if (!parsed) return undefined;
		if (parsed.type === 'article' || parsed.type === 'centre') return KB_SPACE;
		if (parsed.type === 'space') return parsed.id === KB_SPACE ? KB_SPACE : parsed.id;
		return undefined;
	}

	mayShare(peer: Hello, docId: string): boolean {
		const space = this.spaceOf(docId);
		if (!space || !this.spaces().includes(space) || !peer.spaces.includes(space)) return false;
		if (space.startsWith('personal:')) return peer.agentId === this.agentId && space === personalSpace(this.agentId);
		return true;
	}
}
