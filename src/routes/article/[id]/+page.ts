// Pages receive ids only; the article is read from the local store by the page's state.
export function load({ params }) {
	return { docId: `article/${params.id}` };
}
