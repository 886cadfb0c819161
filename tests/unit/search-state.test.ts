// The search as the UI holds it: ten results at a time with "show more", back to ten on a new
// query; a viewer moving floor brings that floor's notes into their results; destroy() stops it all.
import { afterEach, describe, expect, it } from 'vitest';
import type { NoteMeta } from '../../src/lib/domain/note';
import type { Repo } from '../../src/lib/repo/repo';
import { initNote } from '../../src/lib/schema/index';
import { RESULTS_SHOWN } from '../../src/lib/search/query';
import { SearchState } from '../../src/lib/state/search.svelte';
import { CENTRE_DOC, seededRepo } from './search-fixture';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(viewer = { id: 'agent-bruno', floor: 'bourse' }) {
	const repo: Repo = await seededRepo();
	const listeners = new Set<() => void>();
	const state = new SearchState({
		repo,
		centreDocId: CENTRE_DOC,
		locale: () => 'fr',
		viewer: () => viewer,
		onViewerChange: (l) => (listeners.add(l), () => listeners.delete(l))
	});
	await state.start();
	cleanup.push(
		() => repo.destroy(),
		() => state.destroy()
	);
	return { repo, state, viewer, moved: () => listeners.forEach((l) => l()), listeners };
}

// Each test seeds the demo centre (62 documents) and builds its whole index: about 0.5 s on a quiet
// machine, 5–8 s at a load average of 20 on 2 cores (measured), past Vitest's 5 s default.
describe('search state', { timeout: 30_000 }, () => {
	it('shows ten results, ten more on request, and ten again for a new query', async () => {
		const { state } = await setup();
		state.setQuery('client');
		const total = state.results!.total;
		expect(total).toBeGreaterThan(2 * RESULTS_SHOWN);
		expect(state.results!.hits).toHaveLength(RESULTS_SHOWN);
		expect(state.more).toBe(total - RESULTS_SHOWN);
		state.showMore();
		expect(state.results!.hits).toHaveLength(2 * RESULTS_SHOWN);
		state.setQuery('compte');
		expect(state.results!.hits).toHaveLength(RESULTS_SHOWN);
	});

	it('rechecks notes when the viewer moves floor, and stops listening on destroy', async () => {
		const { repo, state, viewer, moved, listeners } = await setup();
		const meta: NoteMeta = {
			author: 'agent-alice',
			authorName: 'Alice Martin',
			visibility: 'floor',
			floor: 'support-technique',
			colleaguesMayEdit: false,
			title: 'Astuce ornithorynque',
			createdAt: 1,
			updatedAt: 1
		};
		initNote(await repo.open('note/agent-alice.n1'), meta, []);
		await state.indexer.idle();
		state.setQuery('ornithorynque');
		expect(state.results!.total).toBe(0);
		viewer.floor = 'support-technique';
		moved();
		await state.indexer.idle();
		expect(state.results!.hits.map((h) => h.docId)).toEqual(['note/agent-alice.n1']);
		await state.destroy();
		expect(listeners.size).toBe(0);
	});
});
