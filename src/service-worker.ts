/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Caches the app shell so Plateau opens with no network at all: the knowledge itself is in
// IndexedDB, so the shell is all a reload needs. Every page is the same client-rendered shell.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `plateau-shell-${version}`;
const SHELL = '/';
const ASSETS = [...build, ...files, SHELL];

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.addAll(ASSETS))
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
			.then(() => sw.clients.claim())
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin || url.pathname.startsWith('/signal')) return;

	// Built assets never change under one version: cache first.
	if (ASSETS.includes(url.pathname) && url.pathname !== SHELL) {
		event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(request)));
		return;
	}
	// Pages: the network when it answers (fresh shell), else the cached shell for any route.
	if (request.mode === 'navigate') {
		event.respondWith(
			fetch(request)
				.then((response) => {
					if (response.ok && url.pathname === SHELL) {
						const copy = response.clone();
						void caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
					}
					return response;
				})
				.catch(async () => (await caches.match(SHELL)) ?? Response.error())
		);
	}
});
