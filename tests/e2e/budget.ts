// How much longer than usual real work takes on this machine right now, for the e2e time bounds.
// The machine is shared (2 cores; other builds and test runs push the load average to 20–45), and
// everything a browser does slows with it: measured, a two-agent editing test took 30 s at load 2
// and 2.9 min at load 45. Tests wait for conditions; this only stretches the bounds at which a
// stuck test is declared failed, so a slow machine is not mistaken for a broken app.
import { cpus, loadavg } from 'node:os';

/** 1 on a machine with up to 4 runnable tasks per core, growing with the load beyond, at most 8.
 *  Read when asked (the load swings within one run), from the larger of the 1- and 5-minute
 *  averages (a burst of other work lasts longer than the last minute says). */
export function slowdown(): number {
	const [one, five] = loadavg();
	return Math.min(8, Math.max(1, Math.max(one!, five!) / Math.max(1, cpus().length) / 4));
}

/** The slowdown when the run started (shown in the report). */
export const SLOWDOWN = slowdown();

/** `ms`, stretched by the slowdown now. */
export function budget(ms: number): number {
	return Math.round(ms * slowdown());
}

/** A whole test's bound: stretched by the slowdown now, and never under `floorMs` — the load can
 *  climb after the bound is set (measured: from 10 to 50 within one run on a 2-core machine). */
export function testBudget(ms: number, floorMs = 2 * ms): number {
	return Math.max(floorMs, budget(ms));
}
