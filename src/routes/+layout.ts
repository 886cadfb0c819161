// Plateau's data lives in the browser (IndexedDB), so pages render there only.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
