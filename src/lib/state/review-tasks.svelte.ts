// The signed-in agent's review tasks (domain/review-tasks.ts), recomputed when the catalog, the
// roles or the topics' review intervals change. Built by the components that show them (the left
// rail's count, /tasks).
import { reviewTasks, taskCount, type ReviewTasks } from '../domain/review-tasks';
import type { App } from './app.svelte';

export class ReviewTaskList {
	readonly #app: App;
	/** Whether the agent reviews any topic at all (expert or knowledge manager). */
	readonly reviews = $derived.by(() => {
		const id = this.#app.session?.agentId;
		const roles = this.#app.roles?.roles;
		return !!id && !!roles?.rolesOf(id).some((r) => r.role === 'expert' || r.role === 'knowledge-manager');
	});
	readonly tasks: ReviewTasks = $derived.by(() => {
		const id = this.#app.session?.agentId;
		const roles = this.#app.roles?.roles;
		const entries = this.#app.kb?.entries ?? [];
		if (!id || !roles) return { overdue: [], dueSoon: [], inReview: [] };
		const intervals = this.#app.reviewIntervals?.intervals;
		return reviewTasks(entries, (topic) => roles.mayPublish(id, topic), Date.now(), intervals);
	});
	readonly count = $derived(taskCount(this.tasks));

	constructor(app: App) {
		this.#app = app;
	}
}
