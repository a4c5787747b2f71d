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
  if (msg.type === 'updated') $('#update').hidden = false;
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
    if (hadWorker) $('#update').hidden = false;
  });
  const check = () => navigator.serviceWorker.controller?.postMessage({ type: 'check' });
  navigator.serviceWorker.register('sw.js').then(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    navigator.serviceWorker.controller.postMessage({ type: 'version' });
    if (navigator.onLine) check();
  }).catch((error) => console.warn('No offline support:', error));
  addEventListener('online', check);
}
