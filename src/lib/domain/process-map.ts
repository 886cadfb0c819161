// Layout of a procedure's process map: a vertical column (start → steps → end), a diamond after each
// step that has a decision, "yes" jumps routed in lanes left of the column (so a jump never crosses a
// box, backward or forward), and the escalation box to the right. Pure geometry: the component draws it.
import type { Escalation, Procedure, ProcedureStep } from './procedure';

export type ProcessNodeKind = 'start' | 'step' | 'decision' | 'escalation' | 'end';
export type ProcessEdgeKind = 'next' | 'yes' | 'no' | 'escalate';

export interface Point {
	x: number;
	y: number;
}

export interface ProcessNode {
	/** 'start', 'end', 'escalation', `step:<step id>` or `decision:<step id>`. */
	id: string;
	kind: ProcessNodeKind;
	/** Top-left corner. */
	x: number;
	y: number;
	width: number;
	height: number;
	/** Step number (steps and their decisions). */
	number?: number;
	/** Id of the procedure step (steps and decisions). */
	stepId?: string;
	/** Text, wrapped and truncated; the full text stays in the procedure. */
	lines: string[];
	/** A decision whose target step is not chosen or no longer exists: drawn without a "yes" edge. */
	targetMissing?: boolean;
}

export interface ProcessEdge {
	from: string;
	to: string;
	kind: ProcessEdgeKind;
	points: Point[];
	/** Where the edge's label goes (yes / no / the escalation's "when"), as the text's start point. */
	labelAt?: Point;
	/** The escalation's "when", wrapped (other labels are words the UI translates). */
	labelLines?: string[];
}

export interface ProcessMapLayout {
	width: number;
	height: number;
	nodes: ProcessNode[];
	edges: ProcessEdge[];
}

export interface ProcessMapOptions {
	/** Floor name for the escalation box (the layout holds no UI data). */
	floorName?: (id: string) => string;
	/** Characters per line in step boxes (diamonds take fewer: text must fit inside the rhombus). */
	maxCharsPerLine?: number;
	/** Lines shown per box before "…". */
	maxLines?: number;
}

export const LINE_HEIGHT = 17;
const MARGIN = 16;
const GAP = 40; // vertical space between nodes: room for the arrow head and the "no" label
const STEP_WIDTH = 280;
const DIAMOND_WIDTH = 300;
const COLUMN_WIDTH = Math.max(STEP_WIDTH, DIAMOND_WIDTH);
const PAD = 10;
const TERMINAL = { width: 150, height: 36 };
const LANE_GAP = 18;
const ESCALATION_GAP = 190; // room for the "when" label between the column and the escalation box
const ESCALATION_WIDTH = 240;
const LABEL_CHARS = 24;

/** Words into lines of at most `maxChars` (long words cut), at most `maxLines`, the last ending in "…"
 *  when text is left over. */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
	const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
	const lines: string[] = [];
	let line = '';
	for (let word of words) {
		while (word.length > maxChars) {
			if (line) {
				lines.push(line);
				line = '';
			}
			lines.push(word.slice(0, maxChars));
			word = word.slice(maxChars);
		}
		if (!line) line = word;
		else if (line.length + 1 + word.length <= maxChars) line += ` ${word}`;
		else {
			lines.push(line);
			line = word;
		}
	}
	if (line) lines.push(line);
	if (lines.length <= maxLines) return lines;
	const kept = lines.slice(0, maxLines);
	const last = kept[maxLines - 1]!;
	kept[maxLines - 1] =
		(last.length >= maxChars ? last.slice(0, maxChars - 1) : last).replace(/[\s.,;:]+$/, '') + '…';
	return kept;
}

/** Box sizes and wrapping, from the options. */
interface Sizing {
	chars: number;
	diamondChars: number;
	maxLines: number;
}

/** The column's left edge and centre, once the lanes for "yes" jumps are known. */
interface Column {
	left: number;
	centerX: number;
}

/** A decision's "yes" jump, waiting for every box to be placed before it is routed. */
interface PendingYes {
	diamond: ProcessNode;
	target: string;
	lane: number;
}

export function layoutProcessMap(procedure: Procedure, options: ProcessMapOptions = {}): ProcessMapLayout {
	const chars = options.maxCharsPerLine ?? 32;
	const sizing: Sizing = {
		chars,
		diamondChars: Math.max(8, Math.round(chars * 0.7)),
		maxLines: options.maxLines ?? 3
	};
	const steps = procedure.steps;

	const { lanes, laneOfStep } = yesLanes(steps);
	const left = MARGIN + lanes * LANE_GAP + (lanes ? LANE_GAP : 0);
	const column: Column = { left, centerX: left + COLUMN_WIDTH / 2 };

	const placed = placeColumn(steps, column, sizing, laneOfStep);
	const edges = [...placed.edges, ...routeYesEdges(placed.pendingYes, placed.stepNodes, column)];
	const layout: ProcessMapLayout = {
		width: column.left + COLUMN_WIDTH + MARGIN,
		height: placed.bottom + MARGIN,
		nodes: placed.nodes,
		edges
	};
	if (procedure.escalation) {
		const last = steps.length ? placed.stepNodes.get(steps[steps.length - 1]!.id)! : placed.nodes[0]!;
		addEscalation(layout, procedure.escalation, last, column, sizing, options.floorName);
	}
	return layout;
}

/** Lanes for "yes" edges: one per decision with a target, reused when their vertical spans do not
 *  overlap. Returns the lane count and each such step's lane. */
function yesLanes(steps: ProcedureStep[]): { lanes: number; laneOfStep: Map<string, number> } {
	const decisions = steps.filter((s) => s.decision?.targetNumber !== undefined);
	const laneOf = assignLanes(
		decisions.map((s) => [
			Math.min(s.number, s.decision!.targetNumber!),
			Math.max(s.number + 0.5, s.decision!.targetNumber!)
		])
	);
	return {
		lanes: laneOf.length ? Math.max(...laneOf) + 1 : 0,
		laneOfStep: new Map(decisions.map((s, i) => [s.id, laneOf[i]!]))
	};
}

/** Start, each step (and its diamond), end, one under the other, linked top to bottom. */
function placeColumn(
	steps: ProcedureStep[],
	column: Column,
	{ chars, diamondChars, maxLines }: Sizing,
	laneOfStep: Map<string, number>
) {
	const nodes: ProcessNode[] = [];
	const edges: ProcessEdge[] = [];
	let y = MARGIN;
	const place = (node: Omit<ProcessNode, 'x' | 'y'>): ProcessNode => {
		const placed = { ...node, x: column.centerX - node.width / 2, y };
		nodes.push(placed);
		y += node.height + GAP;
		return placed;
	};
	const link = (from: ProcessNode, to: ProcessNode, kind: ProcessEdgeKind) => {
		const a = bottom(from);
		const edge: ProcessEdge = { from: from.id, to: to.id, kind, points: [a, top(to)] };
		if (kind === 'no') edge.labelAt = { x: a.x + 8, y: a.y + 14 };
		edges.push(edge);
	};

	const start = place({ id: 'start', kind: 'start', ...TERMINAL, lines: [] });
	let previous = start;
	let pendingKind: ProcessEdgeKind = 'next';
	const stepNodes = new Map<string, ProcessNode>();
	const pendingYes: PendingYes[] = [];
	for (const step of steps) {
		const lines = wrapText(step.action || '…', chars, maxLines);
		const box = place({
			id: `step:${step.id}`,
			kind: 'step',
			stepId: step.id,
			number: step.number,
			width: STEP_WIDTH,
			height: lines.length * LINE_HEIGHT + 2 * PAD,
			lines
		});
		stepNodes.set(step.id, box);
		link(previous, box, pendingKind);
		previous = box;
		pendingKind = 'next';
		if (step.decision) {
			const dl = wrapText(step.decision.condition || '?', diamondChars, maxLines);
			const diamond = place({
				id: `decision:${step.id}`,
				kind: 'decision',
				stepId: step.id,
				number: step.number,
				width: DIAMOND_WIDTH,
				// A rhombus holds a text block half its size: twice the text height, plus a margin.
				height: 2 * dl.length * LINE_HEIGHT + 2 * PAD,
				lines: dl,
				...(step.decision.targetNumber === undefined ? { targetMissing: true } : {})
			});
			link(box, diamond, 'next');
			previous = diamond;
			pendingKind = 'no';
			const lane = laneOfStep.get(step.id);
			if (lane !== undefined) pendingYes.push({ diamond, target: step.decision.target!, lane });
		}
	}
	const end = place({ id: 'end', kind: 'end', ...TERMINAL, lines: [] });
	link(previous, end, pendingKind);
	return { nodes, edges, stepNodes, pendingYes, bottom: y - GAP };
}

/** Each "yes" jump leaves its diamond to the left, runs up or down its lane, and enters the target
 *  box from the left. */
function routeYesEdges(
	pending: PendingYes[],
	stepNodes: Map<string, ProcessNode>,
	column: Column
): ProcessEdge[] {
	return pending.map(({ diamond, target, lane }) => {
		const to = stepNodes.get(target)!;
		const laneX = column.left - LANE_GAP * (lane + 1);
		const from: Point = { x: diamond.x, y: diamond.y + diamond.height / 2 };
		// Arrivals of different lanes at one box are spread apart so their last segments do not merge.
		const arriveY = to.y + Math.min(to.height / 2 + lane * 5, to.height - 4);
		return {
			from: diamond.id,
			to: to.id,
			kind: 'yes',
			points: [from, { x: laneX, y: from.y }, { x: laneX, y: arriveY }, { x: to.x, y: arriveY }],
			labelAt: { x: from.x - 4, y: from.y - 6 }
		};
	});
}

/** The escalation box right of the column, level with the last step, its "when" on the arrow;
 *  the layout grows to hold it. */
function addEscalation(
	layout: ProcessMapLayout,
	esc: Escalation,
	last: ProcessNode,
	column: Column,
	{ chars, maxLines }: Sizing,
	floorName: ProcessMapOptions['floorName']
): void {
	const floor = esc.floor ? (floorName?.(esc.floor) ?? esc.floor) : '';
	const lines = [...(floor ? wrapText(floor, chars - 4, 1) : []), ...wrapText(esc.to, chars - 4, maxLines)];
	// The header line ("Escalation") is drawn by the component: one line more in the box.
	const h = (lines.length + 1) * LINE_HEIGHT + 2 * PAD;
	const cy = last.y + last.height / 2;
	const box: ProcessNode = {
		id: 'escalation',
		kind: 'escalation',
		x: column.left + COLUMN_WIDTH + ESCALATION_GAP,
		y: Math.max(MARGIN, cy - h / 2),
		width: ESCALATION_WIDTH,
		height: h,
		lines
	};
	layout.nodes.push(box);
	const from: Point = { x: last.x + last.width, y: cy };
	const labelLines = wrapText(esc.when, LABEL_CHARS, maxLines);
	layout.edges.push({
		from: last.id,
		to: box.id,
		kind: 'escalate',
		points: [from, { x: box.x, y: cy }],
		labelAt: { x: from.x + 10, y: cy - 8 - (labelLines.length - 1) * LINE_HEIGHT },
		labelLines
	});
	layout.width = box.x + box.width + MARGIN;
	layout.height = Math.max(layout.height, box.y + box.height + MARGIN, cy + MARGIN);
}

const bottom = (n: ProcessNode): Point => ({ x: n.x + n.width / 2, y: n.y + n.height });
const top = (n: ProcessNode): Point => ({ x: n.x + n.width / 2, y: n.y });

/** Greedy interval colouring: the lane of each [from, to] span, the lowest lane free over that span. */
function assignLanes(spans: [number, number][]): number[] {
	const order = spans
		.map((s, i) => i)
		.sort((a, b) => spans[a]![0] - spans[b]![0] || spans[a]![1] - spans[b]![1]);
	const laneEnds: number[] = [];
	const result: number[] = new Array(spans.length);
	for (const i of order) {
		const [from, to] = spans[i]!;
		let lane = laneEnds.findIndex((end) => end < from);
		if (lane < 0) lane = laneEnds.length;
		laneEnds[lane] = to;
		result[i] = lane;
	}
	return result;
}
