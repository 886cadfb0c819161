// A Web Storage (localStorage) held in memory, so each test app starts from its own clean slate.
export function memoryStorage(entries: Record<string, string> = {}): Storage {
	const map = new Map<string, string>(Object.entries(entries));
	return {
		get length() {
			return map.size;
		},
		clear: () => map.clear(),
		getItem: (k) => map.get(k) ?? null,
		key: (i) => [...map.keys()][i] ?? null,
		removeItem: (k) => void map.delete(k),
		setItem: (k, v) => void map.set(k, v)
	};
}
