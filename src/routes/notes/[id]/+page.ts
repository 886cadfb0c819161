// Pages receive ids only; the note is read from the local store by the page's state.
export function load({ params }) {
	return { docId: `note/${params.id}` };
}
