// createEditor(): a Tiptap editor bound to an article body (a Y.XmlFragment), showing the carets of
// everyone else who has it open. Undo and redo come from the Collaboration extension's Yjs undo
// manager, which only tracks this editor's own changes: an agent never undoes a colleague's typing.
import { Editor, Extension, type Range } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { TableKit } from '@tiptap/extension-table';
import { Placeholder } from '@tiptap/extensions';
import StarterKit from '@tiptap/starter-kit';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { safeHref } from '../domain/body';
import type { BlockCommand, CommandContext } from './block-commands';
import { Callout } from './callout';
import { LocalImage } from './local-image';
import { renderCaret, renderSelection } from './carets';
import { SafePaste, type PasteNotice } from './paste';
import { EditingTrailingNode } from './trailing-node';
import { procedureExtensions, type ProcedureLabels } from './procedure';
import type { ProcedureViewLabels } from './procedure-views';
import { SlashMenu, type SlashMenuHost } from './slash-menu';

export interface EditorUser {
	name: string;
	/** `#rrggbb`: the caret extension accepts no other form. */
	color: string;
}

export interface EditorSetup {
	element: HTMLElement;
	fragment: Y.XmlFragment;
	awareness: Awareness;
	user: EditorUser;
	editable: boolean;
	placeholder: string;
	labels: ProcedureLabels;
	calloutLabels: { warning: string; tip: string };
	viewLabels: ProcedureViewLabels;
	floors: { id: string; name: string }[];
	translate: (key: string) => string;
	isProcedure: () => boolean;
	slashMenu: SlashMenuHost | null;
	commands: CommandContext;
	onNotice: (notice: PasteNotice) => void;
}

export function createEditor(setup: EditorSetup): Editor {
	return new Editor({
		element: setup.element,
		editable: setup.editable,
		editorProps: {
			attributes: { class: 'plateau-editor', spellcheck: 'true' }
		},
		extensions: [
			// The Yjs undo manager replaces ProseMirror's history.
			StarterKit.configure({
				undoRedo: false,
				trailingNode: false,
				heading: { levels: [2, 3, 4] },
				link: {
					openOnClick: false,
					autolink: true,
					protocols: ['http', 'https', 'mailto'],
					isAllowedUri: (url) => safeHref(url) !== undefined,
					HTMLAttributes: { rel: 'noopener noreferrer', target: '_blank' }
				}
			}),
			EditingTrailingNode,
			TaskList,
			TaskItem.configure({ nested: true }),
			TableKit.configure({ table: { resizable: false } }),
			// Remote images render as text, never fetched (local-image.ts).
			LocalImage.configure({ allowBase64: true, inline: false }),
			Callout.configure({ labels: setup.calloutLabels }),
			...procedureExtensions({ labels: setup.labels, viewLabels: setup.viewLabels, floors: setup.floors }),
			Placeholder.configure({ placeholder: setup.placeholder }),
			Collaboration.configure({ fragment: setup.fragment }),
			CollaborationCaret.configure({
				provider: { awareness: setup.awareness },
				user: setup.user,
				render: renderCaret,
				selectionRender: renderSelection
			}),
			SlashMenu.configure({
				host: setup.slashMenu,
				translate: setup.translate,
				isProcedure: setup.isProcedure,
				run: (item: BlockCommand, editor: Editor, range: Range) => item.run(editor, range, setup.commands)
			}),
			SafePaste.configure({ onNotice: setup.onNotice }),
			// Shortcuts for the blocks Tiptap binds none to.
			Extension.create({
				name: 'plateauShortcuts',
				addKeyboardShortcuts: () => ({
					'Mod-Alt-t': ({ editor }) =>
						editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
					'Mod-Alt-i': () => {
						setup.commands.pickImage();
						return true;
					}
				})
			})
		]
	});
}
