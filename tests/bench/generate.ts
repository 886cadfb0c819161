// Generated knowledge bases for benchmarks: realistic French article lengths and shapes, made
// from a seeded random source so every run measures the same data.
import type { ArticleKind, ArticleMeta } from '../../src/lib/domain/article';
import type { BodyNode } from '../../src/lib/domain/body';

const WORDS = (
	'client compte virement ordre bourse action titre plafond retrait versement délai jours ouvrés vérifier identité ' +
	'conseiller escalade dossier pièce justificative transfert frais courtage marché exécution limite seuil provision ' +
	'solde espèces relevé fiscal dividende coupon société résultat attendu étape procédure référence réponse demande ' +
	'sécurité authentification code téléphone application connexion mot passe bloqué débloquer confirmer informer'
).split(' ');

export function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const KINDS: ArticleKind[] = ['procedure', 'reference', 'response', 'faq'];

export interface GeneratedArticle {
	id: string;
	meta: ArticleMeta;
	body: BodyNode[];
}

/** `count` articles of about `words` words each, spread over `nodes`. */
export function generateArticles(
	count: number,
	nodes: readonly string[],
	words = 300,
	seed = 42
): GeneratedArticle[] {
	const random = rng(seed);
	const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
	const sentence = (n: number) => {
		const w = Array.from({ length: n }, word).join(' ');
		return w.charAt(0).toUpperCase() + w.slice(1) + '.';
	};
	const para = (n: number): BodyNode => ({
		type: 'paragraph',
		content: [{ type: 'text', text: sentence(n) }]
	});
	const out: GeneratedArticle[] = [];
	for (let i = 0; i < count; i++) {
		const kind = KINDS[i % KINDS.length]!;
		const steps = 6;
		const per = Math.max(4, Math.floor(words / (steps + 3)));
		const body: BodyNode[] = [
			para(per),
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Étapes' }] },
			{
				type: 'orderedList',
				attrs: { start: 1 },
				content: Array.from({ length: steps }, () => ({ type: 'listItem', content: [para(per)] }))
			},
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Escalade' }] },
			para(per)
		];
		const time = Date.UTC(2026, 0, 1) + i * 60_000;
		out.push({
			id: `gen-${i.toString().padStart(5, '0')}`,
			meta: {
				kind,
				title: `${sentence(4).slice(0, -1)} ${i}`,
				node: nodes[i % nodes.length]!,
				locale: i % 5 === 0 ? 'en' : 'fr',
				tags: [word(), word()],
				status: 'published',
				...(kind === 'response' ? { tone: 'formal' as const } : {}),
				createdAt: time,
				updatedAt: time
			},
			body
		});
	}
	return out;
}

/** Words of a real corpus with Zipf-like frequencies: rank r is drawn with weight 1 / (r + 10), so
 *  common words dominate and rare ones make titles and queries specific, as in a real base. */
export function zipfSampler(vocabulary: readonly string[], random: () => number): () => string {
	const weights = vocabulary.map((_, r) => 1 / (r + 10));
	const cumulative: number[] = [];
	let sum = 0;
	for (const w of weights) cumulative.push((sum += w));
	return () => {
		const x = random() * sum;
		let lo = 0;
		let hi = cumulative.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cumulative[mid]! < x) lo = mid + 1;
			else hi = mid;
		}
		return vocabulary[lo]!;
	};
}

/** `count` articles of about `words` words (intro, six steps, escalation) drawn from `vocabulary`
 *  (most frequent first), for search benchmarks: realistic length and vocabulary size. */
export function generateSearchArticles(
	count: number,
	nodes: readonly string[],
	vocabulary: readonly string[],
	words = 300,
	seed = 7
): GeneratedArticle[] {
	const random = rng(seed);
	const word = zipfSampler(vocabulary, random);
	// Titles use the less common half of the vocabulary, as titles name specific issues.
	const rare = vocabulary.slice(Math.floor(vocabulary.length / 10));
	const titleWord = () => rare[Math.floor(random() * rare.length)]!;
	const sentence = (n: number) => {
		const w = Array.from({ length: n }, word).join(' ');
		return w.charAt(0).toUpperCase() + w.slice(1) + '.';
	};
	const para = (n: number): BodyNode => ({
		type: 'paragraph',
		content: [{ type: 'text', text: sentence(n) }]
	});
	const floors = ['bourse', 'gestion-compte', 'support-technique'];
	const out: GeneratedArticle[] = [];
	for (let i = 0; i < count; i++) {
		const kind = KINDS[i % KINDS.length]!;
		const per = Math.max(4, Math.floor(words / 9));
		const body: BodyNode[] = [
			para(per),
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Étapes' }] },
			{
				type: 'orderedList',
				attrs: { start: 1 },
				content: Array.from({ length: 6 }, () => ({ type: 'listItem', content: [para(per)] }))
			},
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Escalade' }] },
			para(per)
		];
		const title = Array.from({ length: 3 + Math.floor(random() * 4) }, titleWord).join(' ');
		const time = Date.UTC(2026, 0, 1) + i * 60_000;
		out.push({
			id: `gen-${i.toString().padStart(5, '0')}`,
			meta: {
				kind,
				title: title.charAt(0).toUpperCase() + title.slice(1),
				node: nodes[i % nodes.length]!,
				locale: i % 5 === 0 ? 'en' : 'fr',
				tags: [word(), word()],
				status: i % 50 === 0 ? 'draft' : 'published',
				floor: floors[i % floors.length]!,
				...(kind === 'response' ? { tone: 'formal' as const } : {}),
				createdAt: time,
				updatedAt: time
			},
			body
		});
	}
	return out;
}
