// How Plateau's tests and benchmarks launch Chromium on these machines (see DESIGN.md, environment facts):
// Debian's /usr/bin/chromium, and flags that keep it from reaching outside.
export const chromiumPath = process.env.PLATEAU_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

export const chromiumLaunchOptions = {
	executablePath: chromiumPath,
	headless: true,
	args: chromiumArgs
};
