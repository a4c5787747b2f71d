// The service worker of the playground: it keeps the app shell (the page,
// its scripts and styles, the example schemas, the package and its wasm) in
// one cache per version, so the app starts and reloads with the network off;
// the data itself lives in IndexedDB.
//
// A version is the SHA-256 of the shell's files (path, type and bytes), so
// any rebuild of dist/ or edit of web/ makes a new one, and nothing needs a
// build step to stamp it. Pages are served cache first from the current
// version; whenever a page is online it asks for a check: the worker
// fetches the shell afresh (revalidating with the server), and if the hash
// differs it fills a new cache completely, then points at it and drops the
// old one, so a page never gets files of two versions from a half-made cache.

const SHELL = [
  './',
  'app.js',
  'style.css',
  'manifest.json',
  'icons/icon.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'playground/cascade.js',
  'playground/forms.js',
  'playground/graph.js',
  'playground/labels.js',
  'playground/offline.js',
  'playground/query.js',
  'playground/relations.js',
  'schemas/blog.graphql',
  'schemas/blog-connection.graphql',
  'schemas/keys.graphql',
  'schemas/policies.graphql',
  'schemas/post-author.graphql',
  'schemas/post-editor.graphql',
  'schemas/post-tag.graphql',
  'schemas/publication.graphql',
  '/dist/index.js',
  '/dist/datastore.wasm',
];
const PREFIX = 'playground-shell-';
const META = 'playground-meta';
const POINTER = 'current-shell';

let currentName = null; // the cache pages are served from

const scopeURL = (path) => new URL(path, self.registration.scope).href;

async function readPointer() {
  if (currentName) return currentName;
  const hit = await (await caches.open(META)).match(POINTER);
  currentName = hit ? await hit.text() : null;
  return currentName;
}

async function setPointer(name) {
  await (await caches.open(META)).put(POINTER, new Response(name));
  currentName = name;
  for (const key of await caches.keys()) {
    if (key.startsWith(PREFIX) && key !== name) await caches.delete(key);
  }
}

// fetchShell downloads every shell file (revalidating any HTTP-cached copy)
// and names the version they make.
async function fetchShell() {
  const files = await Promise.all(SHELL.map(async (path) => {
    const url = scopeURL(path);
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return { url, path: new URL(url).pathname, type: res.headers.get('Content-Type') || '', body: new Uint8Array(await res.arrayBuffer()) };
  }));
  const enc = new TextEncoder();
  const parts = files.flatMap((f) => [enc.encode(`${f.path}\n${f.type}\n${f.body.length}\n`), f.body]);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  const version = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { version, files };
}

// storeShell writes a complete cache for the version (decoded bodies, with
// their content types: the wasm keeps application/wasm) and returns its name.
async function storeShell({ version, files }) {
  const name = PREFIX + version;
  const cache = await caches.open(name);
  await Promise.all(files.map((f) => cache.put(f.url, new Response(f.body, { headers: { 'Content-Type': f.type } }))));
  return name;
}

async function tellClients(message) {
  // Uncontrolled too: a worker being installed controls no page yet.
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
}

let checking = null;

// check looks for a new version on the network; offline it changes nothing.
function check() {
  checking ||= (async () => {
    try {
      const shell = await fetchShell();
      const before = await readPointer();
      if (PREFIX + shell.version !== before) {
        await setPointer(await storeShell(shell));
        if (before) await tellClients({ type: 'updated', version: shell.version });
      }
    } catch {
      // Offline or the server is away: keep serving the current version.
    } finally {
      checking = null;
    }
    await tellClients({ type: 'version', version: (await readPointer() || '').slice(PREFIX.length) });
  })();
  return checking;
}

// A worker that replaces another takes over the pages the old one served. A page may ask for
// the version only after that (its script can start late, behind the wasm), when it has
// missed the controllerchange event: these are the pages to tell they run a new version.
let replacing = false;
const takenOver = new Set();

self.addEventListener('install', (event) => {
  replacing = !!self.registration.active;
  event.waitUntil((async () => {
    const shell = await fetchShell();
    const name = await storeShell(shell);
    const before = await readPointer();
    if (name !== before) {
      await setPointer(name);
      if (before) await tellClients({ type: 'updated', version: shell.version });
    }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    if (replacing) {
      for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) takenOver.add(client.id);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'check') event.waitUntil(check());
  if (event.data?.type === 'version') {
    const source = event.source;
    if (source && takenOver.delete(source.id)) source.postMessage({ type: 'updated' });
    event.waitUntil(readPointer().then((name) => source?.postMessage({ type: 'version', version: (name || '').slice(PREFIX.length) })));
  }
});

async function respond(request) {
  const url = new URL(request.url);
  // The page is cached as ./ (what the server answers for the folder);
  // a visit to index.html is the same page.
  const key = url.href.split(/[?#]/)[0] === scopeURL('index.html') ? scopeURL('./') : url.origin + url.pathname;
  for (let attempt = 0; attempt < 2; attempt++) {
    const name = await readPointer();
    if (!name) break;
    // caches.match, unlike caches.open, never makes a cache that is gone.
    const hit = await caches.match(key, { cacheName: name });
    if (hit) return hit;
    if (await caches.has(name)) break; // not a file of the shell
    currentName = null; // a newer worker moved the pointer: read it again
  }
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(respond(request));
});
