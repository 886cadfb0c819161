// Mounts a component with an app context and reactive props: a test changes `props.x` and the
// component sees the change, as it would from a parent.
import { flushSync, mount, unmount, type Component } from 'svelte';
import { App } from '../../src/lib/state/app.svelte';
import WithApp from './WithApp.svelte';
import { memoryStorage } from './memory-storage';

/** An app that is never started: enough for components that only need `i18n`. */
export function testApp(locale: 'fr' | 'en' = 'fr'): App {
	const fail = () => {
		throw new Error('not used in component tests');
	};
	return new App({
		openStorage: fail,
		deleteStorage: fail,
		storage: memoryStorage({ 'plateau:locale': locale })
	});
}

export function render<P extends Record<string, unknown>>(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any component, whatever its props
	component: Component<any>,
	initial: P,
	app: App = testApp()
) {
	const props = $state(initial);
	const target = document.createElement('div');
	document.body.append(target);
	const instance = mount(WithApp, { target, props: { app, component, props } });
	flushSync();
	return {
		target,
		props,
		destroy: () => {
			unmount(instance);
			target.remove();
			void app.destroy();
		}
	};
}
