// The demo centre in a memory repo with a search indexer over it, for the search unit tests.
import { docId } from '../../src/lib/domain/ids';
import { Repo } from '../../src/lib/repo/repo';
import { SearchIndexer, type IndexerOptions } from '../../src/lib/search/indexer';
import { applySeed, loadDemoSeed } from '../../src/lib/seed/seed';
import { MemoryStorage } from '../../src/lib/storage/memory';

export const CENTRE_DOC = docId('centre', 'demo');

export async function seededRepo(storage = new MemoryStorage()): Promise<Repo> {
	const repo = new Repo({ storage });
	await applySeed(repo, await loadDemoSeed());
	return repo;
}

export async function startIndexer(repo: Repo, options: IndexerOptions = {}): Promise<SearchIndexer> {
	const indexer = new SearchIndexer(repo, {
		centreDocId: CENTRE_DOC,
		delayMs: 5,
		saveDelayMs: 5,
		...options
	});
	await indexer.start();
	return indexer;
}
