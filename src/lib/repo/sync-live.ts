// Phase 3 of a connection: documents' updates, both the answers of anti-entropy and live changes.
// Every update from a peer passes, before it touches a document: the peer is proven and may write
// the document (share policy), the update decodes, the policy's vetting (note author-only fields,
// centre document rules) and the document shape limits (depth, size: schema/limits.ts), tried on a
// copy. A refused update is not applied, not stored, not relayed, and reported. Guarded documents
// (notes, access documents, the centre document) do not travel here: only as signed entries
// (sync-signed.ts), which reuse this vetting with the signer in place of the peer.
import * as Y from 'yjs';
import { docShapeProblem } from '../schema/limits';
import type { PeerId } from './network';
import type { Hello } from './sync-protocol';
import { isPeerOrigin, type PeerOrigin, type PeerState, type SyncContext } from './sync-peer';
import { trialCopy } from './trial';

/** Updates that create no element may grow a document by this much before its shape is checked
 *  again on a copy (typing is checked in batches, not per keystroke). */
const UNCHECKED_BYTES = 64 * 1024;

export class LiveUpdates {
	readonly #ctx: SyncContext;
	/** Bytes applied per document since its shape was last checked. */
	readonly #unchecked = new Map<string, number>();

	constructor(ctx: SyncContext) {
		this.#ctx = ctx;
	}

	async apply(from: PeerId, state: PeerState, docId: string, update: Uint8Array): Promise<void> {
		const { policy, repo } = this.#ctx;
		const peer = state.hello!;
		if (!peer.verified)
			return this.#ctx.reject(from, `sent ${docId} without having proved its key: updates refused`);
		if (policy.guarded?.(docId))
			return this.#ctx.reject(
				from,
				`sent ${docId}, which it may not write here: guarded documents are accepted only as signed entries`
			);
		if (!policy.mayWrite(peer, docId))
			return this.#ctx.reject(from, `sent ${docId}, which it may not write here`);
		// A document this device does not hold (anti-entropy found it missing): built from the update
		// alone, vetted as it stands, and taken as the document — no storage read, no trial copy, no
		// second apply.
		if (state.absent.delete(docId) && repo.adoptable(docId)) return this.#adoptNew(from, peer, docId, update);
		const decoded = inspectUpdate(update);
		if (typeof decoded === 'string') return this.#ctx.reject(from, `update for ${docId} is ${decoded}`);
		const doc = await repo.open(docId);
		// Checked again after the wait: access may have changed meanwhile.
		if (!policy.mayWrite(peer, docId))
			return this.#ctx.reject(from, `sent ${docId}, which it may not write here`);
		const refused = this.vetAs(peer, docId, doc, update, decoded.createsTypes);
		if (refused) return this.#ctx.reject(from, refused);
		const verifying = policy.verifyUpdate?.(peer, docId, doc, update);
		if (verifying) {
			const unverified = await verifying;
			if (unverified) return this.#ctx.reject(from, `update for ${docId} refused: it ${unverified}`);
			if (this.#ctx.destroyed) return;
		}
		try {
			Y.applyUpdate(doc, update, { peer: from } satisfies PeerOrigin);
		} catch (err) {
			this.#ctx.reject(
				from,
				`update for ${docId} could not be applied: ${err instanceof Error ? err.message : String(err)}`
			);
		}
	}

	/** A new document from the peer's update alone: the same vetting as on an empty document
	 *  (policy as from `peer`, decoding, shape limits), then adopted by the Repo. Falls back to the
	 *  plain path if the document was opened meanwhile. */
	#adoptNew(from: PeerId, peer: Hello, docId: string, update: Uint8Array): Promise<void> | void {
		if (update.byteLength === 0) return this.#ctx.reject(from, `update for ${docId} is empty`);
		const refused = this.#ctx.policy.vetUpdate?.(peer, docId, emptyDoc(), update);
		if (refused) return this.#ctx.reject(from, `update refused: it ${refused}`);
		const doc = new Y.Doc({ gc: true, guid: docId });
		try {
			// A throwaway document until adopted: an update that throws half-way leaves nothing behind.
			Y.applyUpdate(doc, update);
		} catch (err) {
			doc.destroy();
			return this.#ctx.reject(
				from,
				`update for ${docId} is undecodable: ${err instanceof Error ? err.message : String(err)}`
			);
		}
		const shape = docShapeProblem(doc);
		if (shape) {
			doc.destroy();
			return this.#ctx.reject(from, `update for ${docId} refused: the document would be ${shape}`);
		}
		// Signatures inside the update (an article's publication records) are checked here too, on
		// the document as built: a document first received whole must not skip what an update to a
		// held one goes through.
		const verifying = this.#ctx.policy.verifyBuilt?.(peer, docId, doc);
		if (!verifying) return this.#adopt(from, docId, doc, update);
		return verifying.then((unverified) => {
			if (unverified) {
				doc.destroy();
				return this.#ctx.reject(from, `update for ${docId} refused: it ${unverified}`);
			}
			if (this.#ctx.destroyed) return void doc.destroy();
			return this.#adopt(from, docId, doc, update);
		});
	}

	#adopt(from: PeerId, docId: string, doc: Y.Doc, update: Uint8Array): Promise<void> | void {
		if (this.#ctx.repo.adopt(docId, doc, update, { peer: from } satisfies PeerOrigin)) return;
		doc.destroy();
		const state = this.#ctx.peers.get(from);
		if (state) return this.apply(from, state, docId, update);
	}

	/** Why the update may not be applied to the document (policy vetting as from `peer`, shape
	 *  limits). */
	vetAs(
		peer: Hello,
		docId: string,
		doc: Y.Doc,
		update: Uint8Array,
		createsTypes: boolean
	): string | undefined {
		const refused = this.#ctx.policy.vetUpdate?.(peer, docId, doc, update);
		if (refused) return `update refused: it ${refused}`;
		const shape = this.#shapeProblem(docId, doc, update, createsTypes);
		if (shape) return `update for ${docId} refused: the document would be ${shape}`;
		return undefined;
	}

	/** A local change (or one from a peer): to every other introduced peer allowed to have it. */
	broadcast(docId: string, update: Uint8Array, origin: unknown): void {
		if (this.#ctx.destroyed) return;
		if (this.#ctx.policy.guarded?.(docId)) return; // signed entries (sync-signed.ts)
		const source = isPeerOrigin(origin) ? origin.peer : undefined;
		for (const [peer, state] of this.#ctx.peers) {
			if (peer === source || !state.hello || !this.#ctx.maySend(state, docId)) continue;
			this.#ctx.send(peer, { type: 'update', docId, update });
		}
	}

	/** The shape the document would have with the update, checked on a copy when the update adds
	 *  elements (depth) or enough bytes since the last check (size). */
	#shapeProblem(docId: string, doc: Y.Doc, update: Uint8Array, createsTypes: boolean): string | undefined {
		const unchecked = (this.#unchecked.get(docId) ?? 0) + update.byteLength;
		if (!createsTypes && unchecked < UNCHECKED_BYTES) {
			this.#unchecked.set(docId, unchecked);
			return undefined;
		}
		const trial = trialCopy(doc);
		Y.applyUpdate(trial, update);
		const problem = docShapeProblem(trial);
		trial.destroy();
		if (!problem) this.#unchecked.delete(docId);
		return problem;
	}
}

let empty: Y.Doc | undefined;
/** The document before a new one's first update, for the policy's vetting (read only). */
function emptyDoc(): Y.Doc {
	return (empty ??= new Y.Doc({ gc: false, guid: 'empty' }));
}

/** Decodes an update fully (a truncated one must not half-apply); says whether it creates shared
 *  types (elements), the only way a document gets deeper. A string says why it is unusable. */
export function inspectUpdate(update: Uint8Array): { createsTypes: boolean } | string {
	if (update.byteLength === 0) return 'empty';
	try {
		const { structs } = Y.decodeUpdate(update);
		return { createsTypes: structs.some((s) => s instanceof Y.Item && s.content instanceof Y.ContentType) };
	} catch (err) {
		return `undecodable: ${err instanceof Error ? err.message : String(err)}`;
	}
}
