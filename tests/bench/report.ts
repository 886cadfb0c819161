// The benchmark reporting convention (DESIGN.md, "Benchmarks"): a readable line and one JSON line
// per figure. Works in node and in the browser (vitest forwards the browser console).
export interface Figure {
	bench: string;
	value: number;
	unit: string;
	target?: number;
	peer?: string;
	peerValue?: number;
	/** Set when a higher value is better (recall, throughput, a fraction delivered). */
	better?: 'higher';
}

export function report(f: Figure): void {
	const rounded = {
		...f,
		value: round(f.value),
		...(f.peerValue !== undefined ? { peerValue: round(f.peerValue) } : {})
	};
	const meets = f.better === 'higher' ? f.value >= f.target! : f.value <= f.target!;
	const verdict = f.target === undefined ? '' : meets ? ' (meets target)' : ' (MISSES target)';
	const peer = f.peer
		? `  ${f.peer}: ${round(f.peerValue!)} ${f.unit}, ratio ${round(f.peerValue! / f.value)}x`
		: '';
	console.log(
		`${f.bench}: ${rounded.value} ${f.unit}${f.target !== undefined ? ` / target ${f.target}` : ''}${verdict}${peer}`
	);
	console.log(JSON.stringify(rounded));
}

export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i]!;
}

function round(v: number): number {
	return Math.round(v * 100) / 100;
}
