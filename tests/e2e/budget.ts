// How much longer than usual real work takes on this machine right now, for the e2e time bounds.
// The machine is shared (2 cores; other builds and test runs push the load average to 20–45), and
// everything a browser does slows with it: measured, a two-agent editing test took 30 s at load 2
// and 2.9 min at load 45. Tests wait for conditions; this only stretches the bounds at which a
// stuck test is declared failed, so a slow machine is not mistaken for a broken app.
import { cpus, loadavg } from 'node:os';

/** 1 on a machine with up to 5 runnable tasks per core, growing with the load beyond, at most 4. */
export const SLOWDOWN = Math.min(4, Math.max(1, loadavg()[0]! / Math.max(1, cpus().length) / 5));

/** `ms`, stretched by the current slowdown. */
export function budget(ms: number): number {
	return Math.round(ms * SLOWDOWN);
}
