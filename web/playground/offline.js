// The page's side of the offline app: registers the service worker (sw.js),
// asks it to look for a new version whenever the network is there, and shows
// the network state, an install button and a "new version" banner.

const $ = (selector) => document.querySelector(selector);

function showNetwork() {
  $('#network').textContent = navigator.onLine ? 'online' : 'offline';
  $('#network').classList.toggle('off', !navigator.onLine);
}

function onWorkerMessage(event) {
  const msg = event.data || {};
  if (msg.type === 'version') {
    $('#offline-ready').hidden = false;
    $('#offline-ready').textContent = `works offline · ${msg.version}`;
    document.body.dataset.shellVersion = msg.version;
  }
  if (msg.type === 'updated') showUpdate();
}

function showUpdate() {
  $('#update').hidden = false;
}

// watchNewWorkers shows the banner once a worker that replaces the active one has installed.
// Waiting for it to take over is not enough: the old worker lets go only once it is idle, and
// Chromium keeps a worker that has just handled an event (a fetch, a message) for its idle delay,
// or longer when DevTools is attached, so a page can wait many seconds for controllerchange.
function watchNewWorkers(registration) {
  const track = (worker) => {
    if (!worker) return;
    const installed = () => ['installed', 'activating', 'activated'].includes(worker.state);
    if (installed()) showUpdate();
    else worker.addEventListener('statechange', () => installed() && showUpdate());
  };
  // Without an active worker the one installing is the first: nothing is replaced.
  registration.addEventListener('updatefound', () => registration.active && track(registration.installing));
  if (registration.active) {
    track(registration.waiting);
    track(registration.installing);
  }
}

/** Starts the service worker and the status chips; without one the page still works online. */
export function startOfflineSupport() {
  showNetwork();
  addEventListener('online', showNetwork);
  addEventListener('offline', showNetwork);

  let installPrompt = null;
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    installPrompt = event;
    $('#install').hidden = false;
  });
  $('#install').addEventListener('click', async () => {
    if (!installPrompt) return;
    installPrompt.prompt();
    await installPrompt.userChoice;
    installPrompt = null;
    $('#install').hidden = true;
  });
  $('#reload').addEventListener('click', () => location.reload());

  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', onWorkerMessage);
  // A new worker taking over a page that had one is a new version too.
  const hadWorker = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (hadWorker) showUpdate();
  });
  const check = () => navigator.serviceWorker.controller?.postMessage({ type: 'check' });
  navigator.serviceWorker.register('sw.js').then(async (registration) => {
    watchNewWorkers(registration);
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    navigator.serviceWorker.controller.postMessage({ type: 'version' });
    if (navigator.onLine) check();
  }).catch((error) => console.warn('No offline support:', error));
  addEventListener('online', check);
}
