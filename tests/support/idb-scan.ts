// Reads every value of every object store of every IndexedDB database of the page's origin as
// text, and reports where any of `needles` appears: the proof that no secret is kept in clear.
// Self-contained (no imports, no closures), so end-to-end tests can pass it to page.evaluate.
// Bytes are read as Latin-1 and as UTF-8; a CryptoKey has no readable bytes and reads as its
// algorithm name only.
export async function scanIndexedDb(needles: string[]): Promise<{ found: string[]; scanned: number }> {
	const latin1 = new TextDecoder('latin1');
	const utf8 = new TextDecoder('utf-8');
	const texts: string[] = [];
	const walk = (value: unknown, depth: number): void => {
		if (depth > 20 || value === null || value === undefined) return;
		if (typeof value === 'string') texts.push(value);
		else if (typeof value === 'number' || typeof value === 'boolean') texts.push(String(value));
		else if (value instanceof CryptoKey) texts.push(`[CryptoKey ${value.algorithm.name}]`);
		else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
			const bytes =
				value instanceof ArrayBuffer
					? new Uint8Array(value)
					: new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
			texts.push(latin1.decode(bytes), utf8.decode(bytes));
		} else if (value instanceof Map)
			for (const [k, v] of value) {
				walk(k, depth + 1);
				walk(v, depth + 1);
			}
		else if (Array.isArray(value) || value instanceof Set) for (const v of value) walk(v, depth + 1);
		else if (typeof value === 'object')
			for (const [k, v] of Object.entries(value)) {
				texts.push(k);
				walk(v, depth + 1);
			}
	};
	const found = new Set<string>();
	let scanned = 0;
	for (const info of await indexedDB.databases()) {
		if (!info.name) continue;
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open(info.name!);
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		for (const store of Array.from(db.objectStoreNames)) {
			const [keys, values] = await new Promise<[unknown[], unknown[]]>((resolve, reject) => {
				const tx = db.transaction(store, 'readonly');
				const k = tx.objectStore(store).getAllKeys();
				const v = tx.objectStore(store).getAll();
				tx.oncomplete = () => resolve([k.result, v.result]);
				tx.onerror = () => reject(tx.error);
			});
			texts.length = 0;
			walk(keys, 0);
			walk(values, 0);
			scanned += values.length;
			for (const needle of needles)
				if (texts.some((t) => t.includes(needle))) found.add(`${needle} in ${info.name}/${store}`);
		}
		db.close();
	}
	return { found: [...found], scanned };
}
