// The block insertions offered by the slash menu (and their shortcuts, shown in the menu). Labels
// are i18n keys; the UI translates them.
import type { Editor, Range } from '@tiptap/core';

export interface BlockCommand {
	id: string;
	/** i18n key of the label. */
	label: string;
	/** Extra words that find it in the slash menu (both languages). */
	keywords: string[];
	shortcut?: string;
	/** Only offered when the article is a procedure. */
	procedureOnly?: boolean;
	run: (editor: Editor, range: Range | undefined, ctx: CommandContext) => void;
}

/** What commands need from the surrounding UI. */
export interface CommandContext {
	/** Opens the file picker for an image. */
	pickImage: () => void;
}

const chain = (editor: Editor, range?: Range) =>
	range ? editor.chain().focus().deleteRange(range) : editor.chain().focus();

export const BLOCK_COMMANDS: BlockCommand[] = [
	{
		id: 'paragraph',
		label: 'editor.block.paragraph',
		keywords: ['texte', 'text', 'paragraphe'],
		shortcut: 'Ctrl+Alt+0',
		run: (e, r) => chain(e, r).setParagraph().run()
	},
	{
		id: 'heading2',
		label: 'editor.block.heading2',
		keywords: ['titre', 'heading', 'h2'],
		shortcut: 'Ctrl+Alt+2',
		run: (e, r) => chain(e, r).setHeading({ level: 2 }).run()
	},
	{
		id: 'heading3',
		label: 'editor.block.heading3',
		keywords: ['sous-titre', 'subheading', 'h3'],
		shortcut: 'Ctrl+Alt+3',
		run: (e, r) => chain(e, r).setHeading({ level: 3 }).run()
	},
	{
		id: 'bulletList',
		label: 'editor.block.bulletList',
		keywords: ['liste', 'puces', 'bullet', 'list'],
		shortcut: 'Ctrl+Shift+8',
		run: (e, r) => chain(e, r).toggleBulletList().run()
	},
	{
		id: 'orderedList',
		label: 'editor.block.orderedList',
		keywords: ['numérotée', 'numbered', 'ordered'],
		shortcut: 'Ctrl+Shift+7',
		run: (e, r) => chain(e, r).toggleOrderedList().run()
	},
	{
		id: 'taskList',
		label: 'editor.block.taskList',
		keywords: ['cases', 'check', 'todo', 'tâches'],
		shortcut: 'Ctrl+Shift+9',
		run: (e, r) => chain(e, r).toggleTaskList().run()
	},
	{
		id: 'table',
		label: 'editor.block.table',
		keywords: ['tableau', 'table', 'grille'],
		shortcut: 'Ctrl+Alt+T',
		run: (e, r) => chain(e, r).insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()
	},
	{
		id: 'warning',
		label: 'editor.block.warning',
		keywords: ['attention', 'avertissement', 'warning', 'callout'],
		shortcut: 'Ctrl+Alt+W',
		run: (e, r) => chain(e, r).toggleCallout('warning').run()
	},
	{
		id: 'tip',
		label: 'editor.block.tip',
		keywords: ['astuce', 'conseil', 'tip', 'callout'],
		shortcut: 'Ctrl+Alt+H',
		run: (e, r) => chain(e, r).toggleCallout('tip').run()
	},
	{
		id: 'image',
		label: 'editor.block.image',
		keywords: ['image', 'capture', 'photo'],
		shortcut: 'Ctrl+Alt+I',
		run: (e, r, ctx) => {
			chain(e, r).run();
			ctx.pickImage();
		}
	},
	{
		id: 'steps',
		label: 'editor.block.steps',
		keywords: ['étapes', 'steps', 'procédure'],
		shortcut: 'Ctrl+Alt+S',
		procedureOnly: true,
		run: (e, r) => chain(e, r).insertProcedureSteps().run()
	},
	{
		id: 'step',
		label: 'editor.block.step',
		keywords: ['étape', 'step'],
		procedureOnly: true,
		run: (e, r) => chain(e, r).addStep().run()
	},
	{
		id: 'decision',
		label: 'editor.block.decision',
		keywords: ['décision', 'si', 'if', 'decision'],
		shortcut: 'Ctrl+Alt+D',
		procedureOnly: true,
		run: (e, r) => chain(e, r).addDecision().run()
	},
	{
		id: 'escalation',
		label: 'editor.block.escalation',
		keywords: ['escalade', 'escalation', 'transfert'],
		shortcut: 'Ctrl+Alt+E',
		procedureOnly: true,
		run: (e, r) => chain(e, r).insertEscalation().run()
	},
	{
		id: 'rule',
		label: 'editor.block.rule',
		keywords: ['séparateur', 'ligne', 'divider', 'rule'],
		run: (e, r) => chain(e, r).setHorizontalRule().run()
	}
];

/** Folds case and accents, for matching what the agent types after "/". */
export function fold(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase();
}

/** Commands matching the query typed after "/", best first (label start, then any keyword). */
export function matchBlockCommands(
	query: string,
	translate: (key: string) => string,
	procedure: boolean
): BlockCommand[] {
	const q = fold(query.trim());
	const offered = BLOCK_COMMANDS.filter((c) => procedure || !c.procedureOnly);
	if (!q) return offered;
	const scored = offered
		.map((c) => {
			const label = fold(translate(c.label));
			const score = label.startsWith(q)
				? 0
				: label.includes(q)
					? 1
					: c.keywords.some((k) => fold(k).startsWith(q))
						? 2
						: -1;
			return { c, score };
		})
		.filter((x) => x.score >= 0);
	return scored.sort((a, b) => a.score - b.score).map((x) => x.c);
}
