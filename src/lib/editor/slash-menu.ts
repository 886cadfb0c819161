// The slash menu: typing "/" offers the block commands, filtered as the agent types; arrows move,
// Enter inserts, Escape closes. The extension only tracks the suggestion; a host (UI state) shows it.
import { Extension, type Editor, type Range } from '@tiptap/core';
import { PluginKey } from '@tiptap/pm/state';
import Suggestion from '@tiptap/suggestion';
import { matchBlockCommands, type BlockCommand } from './block-commands';

export interface SlashMenuHost {
	show(items: BlockCommand[], rect: DOMRect | null, choose: (item: BlockCommand) => void): void;
	hide(): void;
	/** Arrow keys and Enter while the menu is open; true when handled. */
	key(event: KeyboardEvent): boolean;
}

export interface SlashMenuOptions {
	host: SlashMenuHost | null;
	translate: (key: string) => string;
	isProcedure: () => boolean;
	run: (item: BlockCommand, editor: Editor, range: Range) => void;
}

export const SlashMenu = Extension.create<SlashMenuOptions>({
	name: 'slashMenu',
	addOptions: () => ({ host: null, translate: (k) => k, isProcedure: () => false, run: () => {} }),
	addProseMirrorPlugins() {
		const o = this.options;
		return [
			Suggestion<BlockCommand, BlockCommand>({
				editor: this.editor,
				pluginKey: new PluginKey('plateau-slash'),
				char: '/',
				startOfLine: false,
				allowedPrefixes: [' '],
				items: ({ query }) => matchBlockCommands(query, o.translate, o.isProcedure()).slice(0, 12),
				command: ({ editor, range, props }) => o.run(props, editor, range),
				render: () => ({
					onStart: (p) => o.host?.show(p.items, p.clientRect?.() ?? null, (item) => p.command(item)),
					onUpdate: (p) => o.host?.show(p.items, p.clientRect?.() ?? null, (item) => p.command(item)),
					onKeyDown: ({ event }) => {
						if (event.key === 'Escape') {
							o.host?.hide();
							return true;
						}
						return o.host?.key(event) ?? false;
					},
					onExit: () => o.host?.hide()
				})
			})
		];
	}
});
