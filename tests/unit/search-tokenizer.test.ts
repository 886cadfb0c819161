// Text → tokens, queries → forms, synonyms, passages and snippets: the pieces search is built from.
import { describe, expect, it } from 'vitest';
import type { BodyNode } from '../../src/lib/domain/body';
import {
	matchWeight,
	STEM_WEIGHT,
	withinEdits,
	withinOneEdit,
	wordMatches
} from '../../src/lib/search/match';
import { splitPassages } from '../../src/lib/search/passages';
import { markText, snippet } from '../../src/lib/search/snippet';
import { suggestNodes } from '../../src/lib/search/suggest';
import { synonymReadings } from '../../src/lib/search/synonyms';
import { contentWords, fold, indexTokens, queryWords, words } from '../../src/lib/search/tokenizer';

const p = (text: string): BodyNode => ({ type: 'paragraph', content: [{ type: 'text', text }] });

describe('tokenizer', () => {
	it('folds case, accents and ligatures', () => {
		expect(fold('Mot de passe OUBLIÉ — cœur À Noël')).toBe('mot de passe oublie — coeur a noel');
	});

	it('splits on apostrophes and punctuation and keeps codes with digits', () => {
		expect(words("L'application d'Atlas : code 2FA, étape 3")).toEqual([
			'application',
			'atlas',
			'code',
			'2fa',
			'etape',
			'3'
		]);
	});

	it('drops the stop words of the document language only', () => {
		expect(indexTokens('Le virement de la cliente', 'fr')).toEqual(['virement', 'cliente']);
		expect(indexTokens('The transfer of the customer', 'en')).toEqual(['transfer', 'customer']);
		// "son" is a French stop word, an English noun.
		expect(indexTokens('son', 'fr')).toEqual([]);
		expect(indexTokens('son', 'en')).toEqual(['son']);
	});

	it('looks a query word up as typed and as its French and English stems', () => {
		const [refusees] = queryWords('refusées', 'fr');
		expect(refusees!.word).toBe('refusees');
		expect(refusees!.fr).toContain('refus');
		const [rejected] = queryWords('rejected', 'en');
		expect(rejected!.en).toBe('reject');
		// Stop words of the UI language go, unless the query has nothing else.
		expect(queryWords('mot de passe', 'fr').map((q) => q.word)).toEqual(['mot', 'passe']);
		expect(queryWords('de la', 'fr').map((q) => q.word)).toEqual(['de', 'la']);
	});

	it('matches a word by its real stems, never by a stem used as a prefix of unrelated words', () => {
		const [international] = queryWords('international', 'fr');
		expect(matchWeight('internationaux', international!)).toBeGreaterThan(0);
		expect(matchWeight('internet', international!)).toBe(0);
		const [virement] = queryWords('virement', 'fr');
		expect(matchWeight('virements', virement!)).toBe(STEM_WEIGHT);
		expect(matchWeight('virtuelle', virement!)).toBe(0);
		expect(matchWeight('virement', virement!)).toBe(1);
		// A word typed so far is completed, for less than a whole word; under three letters, not at all.
		const [auth] = queryWords('auth', 'fr');
		const completion = matchWeight('authentification', auth!);
		expect(completion).toBeGreaterThan(0);
		expect(completion).toBeLessThan(STEM_WEIGHT);
		const [pe] = queryWords('pe', 'fr');
		expect(matchWeight('pea', pe!)).toBe(0);
	});

	it('drops elisions, keeps codes whole and amounts as one token, and question words out of queries', () => {
		expect(words("L'application n'arrive qu'à l’écran")).toEqual(['application', 'arrive', 'ecran']);
		expect(words('3-D Secure, e-CB, PEA-PME et W-8BEN')).toEqual(
			expect.arrayContaining(['3d', 'secure', 'ecb', 'cb', 'peapme', 'pea', 'pme', 'w8ben'])
		);
		expect(words('compte-titres')).toEqual(['compte', 'titres']);
		expect(words('150 000 € ou 7,90 €')).toEqual(['150000', 'ou', '790']);
		expect(queryWords('pourquoi mon virement est refusé ?', 'fr').map((q) => q.word)).toEqual([
			'virement',
			'refuse'
		]);
		expect(queryWords('3-D Secure', 'fr')[0]).toMatchObject({ word: '3d' });
		expect(queryWords('PEA-PME', 'fr')[0]).toMatchObject({ word: 'peapme', parts: ['pea', 'pme'] });
		expect(queryWords('comment', 'fr').map((q) => q.word)).toEqual(['comment']);
	});

	it('counts repeated words for the index, and matches query words within typing distance', () => {
		expect(contentWords('Le fils et son fils', 'fr')).toEqual(['fils', 'fils']);
		expect(contentWords('Le fils et son fils', 'en')).toEqual(['le', 'fils', 'et', 'son', 'fils']);
		expect(withinEdits('virement', 'virment', 1)).toBe(true);
		expect(withinEdits('virement', 'vierment', 1)).toBe(true);
		expect(withinEdits('virement', 'vrment', 1)).toBe(false);
		expect(withinEdits('virement', 'vrment', 2)).toBe(true);
		expect(withinEdits('authentification', 'autentifcation', 2)).toBe(true);
		expect(withinEdits('authentification', 'otentifcation', 2)).toBe(false);
	});
});

describe('synonyms', () => {
	it('reads a query with each synonym phrase in place of the one it contains', () => {
		const readings = synonymReadings('Carte avalée au DAB').map((r) => r.query);
		expect(readings).toContain('carte capturee au dab');
		expect(readings).toContain('carte avalee au distributeur');
		expect(synonymReadings('mdp oublié').map((r) => r.query)).toContain('mot de passe oublie');
		expect(synonymReadings('code 2FA')).toContainEqual({
			query: 'code double authentification',
			phrase: 'double authentification'
		});
		expect(synonymReadings('virement')).toEqual([]);
	});
});

describe('passages', () => {
	it('splits at headings and gathers procedure steps into passages of some length', () => {
		const long = (n: number) => `Étape numéro ${n} `.repeat(15);
		const body: BodyNode[] = [
			p('Introduction courte.'),
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Étapes' }] },
			{
				type: 'orderedList',
				content: [1, 2, 3, 4].map((n) => ({ type: 'listItem', content: [p(long(n))] }))
			},
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Escalade' }] },
			p('Escalader au niveau 2.')
		];
		const passages = splitPassages(body);
		expect(passages[0]).toEqual({ heading: '', text: 'Introduction courte.' });
		const steps = passages.filter((x) => x.heading.startsWith('Étapes'));
		expect(steps.map((x) => x.heading)).toEqual(['Étapes 1–2', 'Étapes 3–4']);
		expect(steps[1]!.text).toContain('numéro 4');
		expect(passages.at(-1)).toEqual({ heading: 'Escalade', text: 'Escalader au niveau 2.' });
	});
});

describe('snippets', () => {
	it('marks matching words whatever their accents, and only them', () => {
		const q = queryWords('refuse virement', 'fr');
		const segments = markText('Le virement a été refusé.', (w) => q.some((x) => wordMatches(w, x, false)));
		expect(segments.filter((s) => s.mark).map((s) => s.text)).toEqual(['virement', 'refusé']);
		expect(segments.map((s) => s.text).join('')).toBe('Le virement a été refusé.');
	});

	it('cuts a window around the matches of a long text', () => {
		const text = `${'Texte sans rapport. '.repeat(30)}Le plafond de retrait est atteint. ${'Suite sans rapport. '.repeat(30)}`;
		const segs = snippet(text, (w) => w === 'plafond');
		const joined = segs.map((s) => s.text).join('');
		expect(joined.startsWith('… ')).toBe(true);
		expect(joined.endsWith(' …')).toBe(true);
		expect(segs.some((s) => s.mark && s.text === 'plafond')).toBe(true);
		expect(joined.length).toBeLessThan(240);
	});

	it('counts one edit as a typo', () => {
		expect(withinOneEdit('virment', 'virement')).toBe(true);
		expect(withinOneEdit('viremnet', 'virement')).toBe(true);
		expect(withinOneEdit('virmnt', 'virement')).toBe(false);
	});
});

describe('taxonomy suggestions', () => {
	const node = (id: string, fr: string, en: string, parent?: string) => ({
		id,
		parent,
		label: { fr, en },
		order: 0
	});
	const nodes = [
		node('compte', 'Compte', 'Account'),
		node('compte.acces', 'Accès et connexion', 'Access and login', 'compte'),
		node('compte.acces.mot-de-passe', 'Mot de passe oublié', 'Forgotten password', 'compte.acces'),
		node('versements', 'Versements et retraits', 'Deposits and withdrawals'),
		node('versements.virement-sortant.refuse', 'Virement refusé', 'Rejected transfer', 'versements'),
		node('fiscalite.non-residents', 'Non-résidents', 'Non-residents')
	];

	it('suggests the nodes whose label is closest, in the agent’s language', () => {
		expect(suggestNodes('virmeent refusé', nodes, 'fr')[0]?.node.id).toBe(
			'versements.virement-sortant.refuse'
		);
		expect(suggestNodes('non resident impots', nodes, 'fr')[0]?.node.id).toBe('fiscalite.non-residents');
		expect(suggestNodes('password lost', nodes, 'en')[0]?.node.id).toBe('compte.acces.mot-de-passe');
		expect(suggestNodes('retraits', nodes, 'fr')[0]?.path).toEqual(['Versements et retraits']);
	});

	it('suggests nothing for words unlike any node', () => {
		expect(suggestNodes('xyzzy', nodes, 'fr')).toEqual([]);
		expect(suggestNodes('', nodes, 'fr')).toEqual([]);
	});
});
