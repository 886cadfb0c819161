// Plateau's production server: the built SvelteKit app (adapter-node's handler), the signaling
// relay and the centre hub (with its socket on /hub) on one port, with security headers and timeouts (http-server.ts). Run by
// `npm start` after `npm run build` (the embedded default: the demo centre's hub on the file system,
// unless PLATEAU_HUB=off) and by `npm run hub` (`--hub`: an instance for the centre PLATEAU_CENTRE,
// with DATABASE_URL and REDIS_URL to scale out; a hub that cannot start stops the process).
// Settings from the environment (config.ts, hub-config.ts).
import { SIGNAL_PATH } from './attach';
import { signalingOptionsFromEnv } from './config';
import { createAppServer } from './http-server';
import { createHub, type Hub } from './hub';
import { RedisHubBus } from './hub-bus-redis';
import { hubConfigFromEnv } from './hub-config';
import { serveHubStatus } from './hub-status';

// Resolved at run time from build-server/index.js; built by `vite build` (adapter-node).
const handlerPath = '../build/handler.js';
const { handler } = (await import(/* @vite-ignore */ handlerPath)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
};

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const hubRequired = process.argv.includes('--hub');
const hubConfig = hubConfigFromEnv(hubRequired ? { ...process.env, PLATEAU_HUB: 'on' } : process.env);
let hub: Hub | undefined;

// Several instances behind a load balancer: each relays to its own WebSockets, and Redis carries
// every publish to the subscribers connected to the others.
const redisUrl = process.env.REDIS_URL?.trim();
const relayBus = redisUrl ? new RedisHubBus({ url: redisUrl, prefix: 'plateau:relay:' }) : undefined;
relayBus?.onError((e) => console.warn(`Plateau relay bus: ${e.message}`));
const signalingOptions = { ...signalingOptionsFromEnv(process.env), ...(relayBus ? { bus: relayBus } : {}) };
const { server, signaling } = createAppServer(
	(req, res) => {
		const status = () => (hub ? hub.status() : Promise.reject(new Error('the hub is starting')));
		if (hubConfig && serveHubStatus(req, res, hubConfig.statusToken, status)) return;
		handler(req, res);
	},
	{ signaling: signalingOptions, log: (m) => console.warn(m) }
);

server.listen(port, host, () => {
	const shown = host === '0.0.0.0' ? 'localhost' : host;
	console.log(
		`Plateau is running at http://${shown}:${port}/ (signaling at ws://${shown}:${port}${SIGNAL_PATH})`
	);
	console.log(`The demo centre opens at http://${shown}:${port}/demo`);
	if (hubConfig) void startHub(shown);
});

async function startHub(shown: string): Promise<void> {
	const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
	try {
		hub = await createHub({
			...hubConfig!,
			// Another process's relay (a hub run beside the app server), or this one's.
			signalingUrl: process.env.PLATEAU_SIGNAL_URL?.trim() || `ws://${local}:${port}${SIGNAL_PATH}`,
			// Browsers whose network blocks WebRTC reach the hub on /hub, under the relay's origin rules.
			httpServer: server,
			socket: { origins: signalingOptions.origins, clientAddress: signalingOptions.clientAddress }
		});
		console.log(
			`Plateau hub for centre "${hubConfig!.centreId}" is running (status at http://${shown}:${port}/hub/status${hubConfig!.statusToken ? '' : ', off: PLATEAU_HUB_TOKEN is not set'})`
		);
	} catch (err) {
		console.error(`Plateau hub could not start: ${err instanceof Error ? err.message : String(err)}`);
		if (hubRequired) process.exit(1);
	}
}

const stop = () => {
	void signaling.close();
	void (hub?.destroy() ?? Promise.resolve())
		.then(() => relayBus?.destroy())
		.finally(() => server.close(() => process.exit(0)));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
