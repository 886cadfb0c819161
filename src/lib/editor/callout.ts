// A callout: a boxed block of warning or tip, holding paragraphs and lists.
import { mergeAttributes, Node } from '@tiptap/core';

export const CALLOUT_TYPES = ['warning', 'tip'] as const;
export type CalloutType = (typeof CALLOUT_TYPES)[number];

declare module '@tiptap/core' {
	interface Commands<ReturnType> {
		callout: {
			/** Wraps the selected blocks in a callout, or unwraps them if already in one of that type. */
			toggleCallout: (type: CalloutType) => ReturnType;
		};
	}
}

export const Callout = Node.create<{ labels: Record<CalloutType, string> }>({
	name: 'callout',
	group: 'block',
	content: 'block+',
	defining: true,

	addOptions: () => ({ labels: { warning: 'Attention', tip: 'Tip' } }),

	addAttributes() {
		return {
			type: {
				default: 'tip',
				parseHTML: (el) => (el.getAttribute('data-callout') === 'warning' ? 'warning' : 'tip'),
				renderHTML: (attrs) => ({ 'data-callout': attrs.type === 'warning' ? 'warning' : 'tip' })
			}
		};
	},

	parseHTML() {
		return [{ tag: 'div[data-callout]' }];
	},

	renderHTML({ node, HTMLAttributes }) {
		const type: CalloutType = node.attrs.type === 'warning' ? 'warning' : 'tip';
		return [
			'div',
			mergeAttributes(HTMLAttributes, {
				class: `callout ${type}`,
				role: 'note',
				'aria-label': this.options.labels[type],
				'data-label': this.options.labels[type]
			}),
			0
		];
	},

	addCommands() {
		return {
			toggleCallout:
				(type) =>
				({ commands, editor }) =>
					editor.isActive(this.name, { type })
						? commands.lift(this.name)
						: commands.wrapIn(this.name, { type })
		};
	},

	addKeyboardShortcuts() {
		return {
			'Mod-Alt-w': () => this.editor.commands.toggleCallout('warning'),
			'Mod-Alt-h': () => this.editor.commands.toggleCallout('tip')
		};
	}
});
