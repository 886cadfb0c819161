// Tiptap's trailing paragraph (so the caret can always get below a final callout, table or list),
// added only while the agent edits. In reading mode the plugin would write that paragraph into the
// shared document the moment an article is opened: an edit nobody made, synced to every peer and
// re-indexed by search.
import { TrailingNode } from '@tiptap/extensions';
import { Plugin } from '@tiptap/pm/state';

export const EditingTrailingNode = TrailingNode.extend({
	addProseMirrorPlugins() {
		const editor = this.editor;
		return (this.parent?.() ?? []).map(
			(plugin) =>
				new Plugin({
					...plugin.spec,
					appendTransaction: (transactions, oldState, state) =>
						editor.isEditable ? plugin.spec.appendTransaction?.(transactions, oldState, state) : undefined
				})
		);
	}
});
