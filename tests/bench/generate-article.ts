// One long, realistic article body for the editor benchmark: headings, paragraphs with bold text
// and links, bullet and numbered lists, a table, callouts, a procedure (steps with decisions) and
// an escalation, in the editor's schema. Seeded, so every run types into the same document.
import type { ArticleMeta } from '../../src/lib/domain/article';
import type { BodyNode } from '../../src/lib/domain/body';
import { PROCEDURE_NODES as N } from '../../src/lib/domain/procedure';
import { rng } from './generate';

const VOCABULARY = (
	'client compte virement ordre bourse action titre plafond retrait versement délai jours ouvrés vérifier identité ' +
	'conseiller escalade dossier pièce justificative transfert frais courtage marché exécution limite seuil provision ' +
	'solde espèces relevé fiscal dividende coupon société résultat attendu étape procédure référence réponse demande ' +
	'sécurité authentification code téléphone application connexion mot passe bloqué débloquer confirmer informer ' +
	'le la les un une des du de au aux pour avec sans dans sur par avant après puis si ou et mais donc car ' +
	'bénéficiaire montant opération contrôle motif rejet banque agence courrier message écran menu onglet bouton ' +
	'valider annuler saisir consulter rappeler transmettre indiquer expliquer demander attendre noter'
).split(' ');

export interface GeneratedBody {
	meta: ArticleMeta;
	body: BodyNode[];
	words: number;
}

export interface ArticleShape {
	/** Words to reach (the body ends with the section that crosses it). */
	words: number;
	/** Steps in the procedure list. */
	steps?: number;
	seed?: number;
}

/** Words in a body, as an agent would count them (every text run, split on white space). */
export function countWords(nodes: readonly BodyNode[]): number {
	let n = 0;
	const walk = (node: BodyNode) => {
		if (node.text !== undefined) n += node.text.split(/\s+/).filter(Boolean).length;
		for (const c of node.content ?? []) walk(c);
	};
	nodes.forEach(walk);
	return n;
}

export function generateLongArticle({ words, steps = 20, seed = 7 }: ArticleShape): GeneratedBody {
	const random = rng(seed);
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const word = () => pick(VOCABULARY);
	const phrase = (n: number) => Array.from({ length: n }, word).join(' ');
	const sentence = (n = int(8, 22)) => {
		const w = phrase(n);
		return `${w.charAt(0).toUpperCase()}${w.slice(1)}.`;
	};
	const text = (t: string): BodyNode => ({ type: 'text', text: t });
	const para = (sentences = int(2, 5)): BodyNode => {
		const parts = Array.from({ length: sentences }, () => sentence());
		const r = random();
		if (r < 0.25) {
			// A bold warning phrase in the middle of the paragraph.
			const mid = Math.floor(parts.length / 2);
			return {
				type: 'paragraph',
				content: [
					text(`${parts.slice(0, mid).join(' ')} `),
					{ type: 'text', text: phrase(int(2, 4)), marks: [{ type: 'bold' }] },
					text(` ${parts.slice(mid).join(' ')}`)
				]
			};
		}
		if (r < 0.35) {
			return {
				type: 'paragraph',
				content: [
					text(`${parts.join(' ')} Voir `),
					{
						type: 'text',
						text: 'la fiche de référence',
						marks: [{ type: 'link', attrs: { href: `https://intranet.example/fiches/${int(100, 999)}` } }]
					},
					text('.')
				]
			};
		}
		return { type: 'paragraph', content: [text(parts.join(' '))] };
	};
	const heading = (level: 2 | 3, t: string): BodyNode => ({
		type: 'heading',
		attrs: { level },
		content: [text(t)]
	});
	const item = (n = int(6, 16)): BodyNode => ({
		type: 'listItem',
		content: [{ type: 'paragraph', content: [text(sentence(n))] }]
	});
	const bullets = (n = int(3, 6)): BodyNode => ({
		type: 'bulletList',
		content: Array.from({ length: n }, () => item())
	});
	const numbered = (n = int(3, 6)): BodyNode => ({
		type: 'orderedList',
		attrs: { start: 1 },
		content: Array.from({ length: n }, () => item())
	});
	const callout = (type: 'warning' | 'tip'): BodyNode => ({
		type: 'callout',
		attrs: { type },
		content: [para(2), bullets(3)]
	});
	const title = () => sentence(int(3, 6)).slice(0, -1);

	const table = (rows: number): BodyNode => {
		const cell = (type: 'tableCell' | 'tableHeader', t: string): BodyNode => ({
			type,
			content: [{ type: 'paragraph', content: [text(t)] }]
		});
		return {
			type: 'table',
			content: [
				{
					type: 'tableRow',
					content: ['Type de compte', 'Plafond journalier', 'Délai', 'Remarque'].map((t) =>
						cell('tableHeader', t)
					)
				},
				...Array.from({ length: rows }, (_, i) => ({
					type: 'tableRow',
					content: [
						cell('tableCell', `${word()} ${word()} ${i + 1}`),
						cell('tableCell', `${int(1, 50) * 1000} €`),
						cell('tableCell', `${int(1, 5)} jours ouvrés`),
						cell('tableCell', sentence(int(4, 10)))
					]
				}))
			]
		};
	};

	const stepId = (i: number) => `s-bench${String(i + 1).padStart(3, '0')}`;
	const procedure = (count: number): BodyNode => ({
		type: N.steps,
		content: Array.from({ length: count }, (_, i): BodyNode => {
			const fields: BodyNode[] = [
				{ type: N.action, content: [text(sentence(int(10, 20)))] },
				{ type: N.result, content: [text(sentence(int(8, 16)))] }
			];
			// A decision every third step, pointing further down (or back to the first step).
			if (i % 3 === 2) {
				const target = i + 2 < count ? stepId(i + 2) : stepId(0);
				fields.push({ type: N.decision, attrs: { target }, content: [text(`Si ${phrase(int(5, 10))}`)] });
			}
			return { type: N.step, attrs: { id: stepId(i) }, content: fields };
		})
	});
	const escalation: BodyNode = {
		type: N.escalation,
		attrs: { floor: 'floor-2' },
		content: [
			{ type: N.when, content: [text(`Si ${phrase(12)}`)] },
			{ type: N.to, content: [text('Service virements internationaux')] },
			{ type: N.handover, content: [para(2), bullets(4)] }
		]
	};

	const body: BodyNode[] = [];
	let count = 0;
	const push = (...nodes: BodyNode[]) => {
		body.push(...nodes);
		count += countWords(nodes);
	};
	const section = () => {
		push(heading(2, title()), para(), para());
		const shape = random();
		if (shape < 0.3) push(bullets(), para());
		else if (shape < 0.5) push(heading(3, title()), para(), numbered());
		else if (shape < 0.6) push(callout('tip'), para());
		else push(para(), heading(3, title()), para(), bullets(int(2, 4)));
	};

	// Opening: summary, the warning every agent must see, the limits table.
	push(para(3), para(2), callout('warning'));
	push(heading(2, 'Plafonds par type de compte'), para(2), table(8));
	// Sections before the procedure, so it sits in the middle of a long article.
	const before = Math.max(0, Math.floor(words * 0.4));
	while (count < before) section();
	push(heading(2, 'Procédure'), para(2), procedure(steps), escalation);
	// Close to the word count: whole sections while there is room, then paragraphs.
	while (count < words) {
		if (words - count > 300) section();
		else push(para());
	}

	const time = Date.UTC(2026, 0, 1);
	return {
		meta: {
			kind: 'procedure',
			title: 'Virement sortant refusé : diagnostic complet',
			node: 'versements.virement-sortant.refuse',
			locale: 'fr',
			tags: ['virement', 'bench'],
			status: 'published',
			createdAt: time,
			updatedAt: time
		},
		body,
		words: count
	};
}
