// The demo (web/) in headless Chromium, served by tools/serve as `make demo`
// serves it: the schema picker, forms, the query box with explain, a delete
// with its cascade preview, two tabs in step, and the offline app (service
// worker): reload with the network off, and a new version replacing the old
// cache.
//
// web/ is copied to a temporary folder so that one test can change a file
// and see the service worker pick up the new version.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 20_000;

let tmp;
let serveBin;
let webDir;
let server;
let origin;
let browser;

/** Starts tools/serve on addr and resolves with its origin once it listens. */
function startServe(addr) {
  const child = spawn(serveBin, ['-addr', addr, '-mount', `/=${webDir}`, '-mount', `/dist/=${path.join(ROOT, 'dist')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`tools/serve exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      const m = /serving (http:\/\/\S+?)\/?\n/.exec(String(chunk));
      if (m) resolve({ child, origin: m[1] });
    });
  });
}

function stopServe(s) {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.removeAllListeners('exit');
    s.child.once('exit', resolve);
    s.child.kill();
  });
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-e2e-'));
  serveBin = path.join(tmp, 'serve');
  execFileSync('go', ['build', '-o', serveBin, './tools/serve'], { cwd: ROOT, stdio: 'inherit' });
  webDir = path.join(tmp, 'web');
  await cp(path.join(ROOT, 'web'), webDir, { recursive: true });
  server = await startServe('127.0.0.1:0');
  origin = server.origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  if (server) await stopServe(server);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console.error: ${msg.text()}`);
  });
  return page;
}

const errorsOf = (page) => (page.errors.length ? `\npage errors:\n${page.errors.join('\n')}` : '');

/** Waits until the playground has opened its schema's database. */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || !document.querySelector('#error').hidden);
  assert.equal(await page.locator('#error').isHidden(), true, `error shown: ${await page.textContent('#error')}${errorsOf(page)}`);
}

async function open(page, schema) {
  await page.goto(`${origin}/`);
  await ready(page);
  if (schema && (await page.inputValue('#schema-select')) !== schema) await pick(page, schema);
}

async function pick(page, schema) {
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.selectOption('#schema-select', schema);
  await ready(page);
  assert.equal(await page.evaluate(() => window.playground.databaseName), `playground-${schema}`);
}

/** Fills the generated form for model and saves; relations map a field to a record title. */
async function create(page, model, values = {}, relations = {}) {
  if ((await page.inputValue('#form-model')) !== model) await page.selectOption('#form-model', model);
  for (const [field, value] of Object.entries(values)) {
    const input = page.locator(`#form-fields [data-field="${field}"]`);
    if (await input.evaluate((el) => el.tagName === 'SELECT')) await input.selectOption(String(value));
    else await input.fill(String(value));
  }
  for (const [field, title] of Object.entries(relations)) {
    const select = page.locator(`#form-fields [data-relation="${field}"]`);
    const option = select.locator('option', { hasText: title });
    await select.selectOption(await option.first().getAttribute('value'));
  }
  const before = await recordsOf(page, model).count();
  await page.click('#save');
  await page.waitForFunction(([m, n]) => document.querySelectorAll(`[data-testid=record][data-model="${m}"]`).length > n, [model, before]);
  assert.equal(await page.locator('#form-error').isHidden(), true, await page.textContent('#form-error'));
}

const recordsOf = (page, model) => page.locator(`[data-testid=record][data-model="${model}"]`);
const record = (page, model, title) => recordsOf(page, model).filter({ has: page.locator('.record-title', { hasText: title }) });

async function clearDatabase(page) {
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.click('#clear-db');
  await ready(page);
}

describe('the playground', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext();
    page = await newPage(context);
    await open(page);
  });

  after(() => context?.close());

  it('picks an example schema and draws its models and relations', { timeout: 60_000 }, async () => {
    const options = await page.locator('#schema-select option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(options, ['blog', 'policies', 'post-tag', 'post-editor', 'post-author', 'publication', 'keys', 'blog-connection', 'custom']);

    await pick(page, 'post-tag');
    const nodes = await page.locator('#graph .node').evaluateAll((ns) => ns.map((n) => n.dataset.model));
    assert.deepEqual(nodes.sort(), ['Post', 'PostTag', 'Tag'], 'the implied join model is drawn');
    const labels = await page.locator('#graph .edge-label text').allTextContents();
    assert.deepEqual(labels.sort(), ['posts n:m · cascade', 'tags n:m · cascade']);

    await pick(page, 'policies');
    const policies = await page.locator('#graph .edge-label text').allTextContents();
    assert.deepEqual(policies.sort(), ['members 1:n · restrict', 'notes 1:n · setNull', 'tasks 1:n · cascade']);

    await pick(page, 'blog');
    assert.match(await page.textContent('#relations'), /Comment\.postCommentsId = Post\.id/);
  });

  it('creates and edits records through forms made from the schema', { timeout: 60_000 }, async () => {
    await clearDatabase(page);
    await create(page, 'Post', { title: 'Hello offline', rating: 4, status: 'ACTIVE' });
    await create(page, 'Comment', { content: 'First!' }, { post: 'Hello offline' });
    await create(page, 'Comment', { content: 'Second' }, { post: 'Hello offline' });
    assert.match(await record(page, 'Comment', 'First!').textContent(), /post: Hello offline/);

    const feed = await page.locator('[data-testid=feed-item]').allTextContents();
    assert.match(feed[0], /^INSERT\s*Comment “Second”/);
    assert.match(feed[2], /^INSERT\s*Post “Hello offline”/);
    const postId = await page.evaluate(async () => (await window.playground.ds.query(window.playground.classes.Post))[0].id);
    assert.ok(feed[2].includes(postId), 'the feed shows the whole key');

    // A required field left empty: the engine's message, and nothing saved.
    await page.selectOption('#form-model', 'Post');
    await page.fill('#form-fields [data-field="rating"]', '2');
    await page.click('#save');
    await page.locator('#form-error').waitFor();
    assert.match(await page.textContent('#form-error'), /title/i);

    await record(page, 'Post', 'Hello offline').locator('[data-action=edit]').click();
    await page.fill('#form-fields [data-field="title"]', 'Hello again');
    await page.click('#save');
    await record(page, 'Post', 'Hello again').waitFor();
    assert.match(await page.locator('[data-testid=feed-item]').first().textContent(), /^UPDATE\s*Post “Hello again”/);
    assert.deepEqual(page.errors, []);
  });

  it('runs a query and shows what DataStore.explain says', { timeout: 60_000 }, async () => {
    const postId = await page.evaluate(async () => (await window.playground.ds.query(window.playground.classes.Post))[0].id);
    await page.selectOption('#query-model', 'Comment');
    await page.click('#add-condition');
    await page.selectOption('.cond-field', 'postCommentsId');
    await page.selectOption('.cond-op', 'eq');
    await page.fill('.cond-value', postId);
    await page.selectOption('#sort-field', 'content');
    await page.selectOption('#sort-direction', 'DESCENDING');
    await page.click('#run-query');
    await page.locator('#explain').waitFor();
    assert.equal(await page.getAttribute('#explain', 'data-index'), 'postCommentsId');
    assert.match(await page.textContent('#explain'), /index postCommentsId of Comment.*2 results/);
    assert.deepEqual(await page.locator('[data-testid=result] .record-title').allTextContents(), ['Second', 'First!']);
    assert.match(await page.textContent('#query-code'), /c\.postCommentsId\.eq\(/);

    await page.selectOption('#query-model', 'Post');
    await page.click('#add-condition');
    await page.selectOption('.cond-field', 'rating');
    await page.selectOption('.cond-op', 'gt');
    await page.fill('.cond-value', '3');
    await page.click('#run-query');
    await page.waitForFunction(() => document.querySelector('#explain').dataset.access === 'scan');
    assert.match(await page.textContent('#explain'), /Scans every Post record/);
    assert.equal(await page.locator('[data-testid=result]').count(), 1);

    // Through a relation: comments whose post has this title.
    await page.selectOption('#query-model', 'Comment');
    await page.click('#add-condition');
    await page.selectOption('.cond-field', 'post.title');
    await page.fill('.cond-value', 'Hello again');
    await page.click('#run-query');
    await page.waitForFunction(() => /First/.test(document.querySelector('#explain').textContent));
    assert.match(await page.textContent('#explain'), /First scans Post for the related records; then reads the records under several keys of the index postCommentsId of Comment.*2 results/);
    assert.match(await page.textContent('#query-code'), /c\.post\.title\.eq\("Hello again"\)/);
  });

  it('previews a cascade, deletes, and shows what the delete did', { timeout: 60_000 }, async () => {
    // By keyboard: the preview takes the focus, Escape closes it and gives the focus back.
    await record(page, 'Post', 'Hello again').locator('[data-action=delete]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=preview]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'delete-panel');
    await page.keyboard.press('Escape');
    await page.locator('#delete-panel').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Delete Post Hello again');
    assert.equal(await page.locator('.record.will-delete').count(), 0, 'no marks once the preview is closed');

    await record(page, 'Post', 'Hello again').locator('[data-action=delete]').click();
    await page.locator('[data-testid=preview]').waitFor();
    const preview = await page.locator('[data-testid=preview] li').allTextContents();
    assert.equal(preview.length, 2, preview.join(' | '));
    assert.ok(preview.every((l) => /^delete Comment/.test(l) && l.includes('via Post.comments')), preview.join(' | '));
    assert.equal(await page.locator('.record.will-delete').count(), 3, 'the post and its comments are marked');
    assert.match(await page.locator('#graph .node[data-model=Comment]').textContent(), /2 of 2 deleted/);

    await page.click('#confirm-delete');
    await page.locator('[data-testid=outcome]').waitFor();
    assert.match(await page.textContent('#delete-body'), /removed 3 records, in one transaction: as previewed/);
    assert.equal(await recordsOf(page, 'Post').count(), 0);
    assert.equal(await recordsOf(page, 'Comment').count(), 0);
    const feed = await page.locator('[data-testid=feed-item] .op').allTextContents();
    assert.deepEqual(feed.slice(0, 3), ['DELETE', 'DELETE', 'DELETE']);
    await page.click('#cancel-delete');
    await page.locator('#delete-panel').waitFor({ state: 'hidden' });
  });

  it('shows setNull and restrict, and a refused delete changes nothing', { timeout: 60_000 }, async () => {
    await pick(page, 'policies');
    await clearDatabase(page);
    await create(page, 'Project', { name: 'Apollo' });
    await create(page, 'Task', { title: 'Launch' }, { project: 'Apollo' });
    await create(page, 'Note', { text: 'Remember the fuel' }, { project: 'Apollo' });
    await create(page, 'Member', { name: 'Ada' }, { project: 'Apollo' });

    await record(page, 'Project', 'Apollo').locator('[data-action=delete]').click();
    await page.locator('[data-testid=preview]').waitFor();
    const preview = await page.locator('[data-testid=preview] li').allTextContents();
    assert.deepEqual(preview.map((l) => l.split(' ').slice(0, 3).join(' ')), ['delete Task “Launch”', 'set null Note', 'restricts Member “Ada”']);
    assert.match(await page.textContent('#delete-body'), /will be refused/);
    await page.click('#confirm-delete');
    await page.waitForFunction(() => /Refused/.test(document.querySelector('#delete-heading').textContent));
    assert.match(await page.textContent('#delete-body'), /Nothing was removed/);
    assert.equal(await recordsOf(page, 'Task').count(), 1);
    await page.click('#cancel-delete');

    await record(page, 'Member', 'Ada').locator('[data-action=delete]').click();
    await page.click('#confirm-delete');
    await page.locator('[data-testid=outcome]').waitFor();
    await page.click('#cancel-delete');
    await record(page, 'Project', 'Apollo').locator('[data-action=delete]').click();
    await page.click('#confirm-delete');
    await page.locator('[data-testid=outcome]').waitFor();
    assert.match(await page.textContent('#delete-body'), /removed 2 records and cleared the key of 1, in one transaction: as previewed/);
    assert.equal(await recordsOf(page, 'Note').count(), 1, 'the note stays');
    assert.doesNotMatch(await recordsOf(page, 'Note').textContent(), /project:/, 'with its project cleared');
    await page.click('#cancel-delete');
    assert.deepEqual(page.errors, []);
  });

  it('links records many to many and one to one, and previews what those deletes reach', { timeout: 60_000 }, async () => {
    await pick(page, 'post-tag');
    await clearDatabase(page);
    await create(page, 'Post', { body: 'Tagged post' });
    await create(page, 'Tag', { label: 'news' });
    await create(page, 'PostTag', {}, { post: 'Tagged post', tag: 'news' });
    await record(page, 'Tag', 'news').locator('[data-action=delete]').click();
    await page.locator('[data-testid=preview]').waitFor();
    assert.match(await page.textContent('[data-testid=preview]'), /delete PostTag Post “Tagged post” ↔ Tag “news”.*via Tag\.posts/);
    await page.click('#confirm-delete');
    await page.locator('[data-testid=outcome]').waitFor();
    assert.equal(await recordsOf(page, 'PostTag').count(), 0);
    assert.equal(await recordsOf(page, 'Post').count(), 1, 'the post stays');
    await page.click('#cancel-delete');

    await pick(page, 'post-author');
    await clearDatabase(page);
    await create(page, 'Author', { name: 'Ursula' });
    await create(page, 'Post', { title: 'The Dispossessed' }, { author: 'Ursula' });
    await record(page, 'Author', 'Ursula').locator('[data-action=delete]').click();
    await page.locator('[data-testid=preview]').waitFor();
    assert.match(await page.textContent('[data-testid=preview]'), /set null Post “The Dispossessed”: postAuthorId/);
    await page.click('#confirm-delete');
    await page.locator('[data-testid=outcome]').waitFor();
    assert.match(await page.textContent('#delete-body'), /removed 1 record and cleared the key of 1, in one transaction: as previewed/);
    await page.click('#cancel-delete');
  });

  it('uses a pasted schema on a database of its own, and names what is wrong in a bad one', { timeout: 60_000 }, async () => {
    await page.click('#schema-details summary');
    await page.fill('#schema-text', 'type Album @model { id: ID! name: String! songs: [Song] @hasMany(onDelete: "setNull") }\n' +
      'type Song @model { id: ID! title: String! album: Album @belongsTo }\n');
    await page.evaluate(() => { document.body.dataset.ready = 'false'; });
    await page.click('#use-schema');
    await ready(page);
    assert.match(await page.evaluate(() => window.playground.databaseName), /^playground-custom-[0-9a-f]{8}$/);
    assert.deepEqual(await page.locator('#graph .edge-label text').allTextContents(), ['songs 1:n · setNull']);
    await create(page, 'Album', { name: 'Blue' });
    await create(page, 'Song', { title: 'River' }, { album: 'Blue' });

    await page.fill('#schema-text', 'type Broken @model { id: ID! owner: Nobody }');
    await page.click('#use-schema');
    await page.locator('#schema-error').waitFor();
    assert.match(await page.textContent('#schema-error'), /Broken\.owner: unknown type Nobody/);
    assert.equal(await recordsOf(page, 'Song').count(), 1, 'the schema in use stays');
    await page.reload();
    await ready(page);
    assert.equal(await page.inputValue('#schema-select'), 'custom', 'a reload keeps the pasted schema');
    await record(page, 'Song', 'River').waitFor();

    // Codegen's introspection object works as well.
    const introspection = await readFile(path.join(ROOT, 'relation/testdata/schemas/post-author.introspection.json'), 'utf8');
    await page.fill('#schema-text', introspection);
    await page.evaluate(() => { document.body.dataset.ready = 'false'; });
    await page.click('#use-schema');
    await ready(page);
    assert.deepEqual((await page.locator('#graph .edge-label text').allTextContents()).sort(), ['author 1:1 · cascade', 'bio 1:1 · cascade']);

    await pick(page, 'policies');
  });

  it('keeps two tabs in step', { timeout: 60_000 }, async () => {
    const other = await newPage(context);
    await open(other, 'policies');
    await create(page, 'Project', { name: 'Gemini' });
    await record(other, 'Project', 'Gemini').waitFor();
    await create(other, 'Task', { title: 'Dock' }, { project: 'Gemini' });
    await record(page, 'Task', 'Dock').waitFor();
    assert.match(await page.locator('[data-testid=feed-item]').first().textContent(), /INSERT\s*Task “Dock”/);

    // A write in the other tab adds to the pickers and leaves a half-typed form alone.
    await page.selectOption('#form-model', 'Task');
    await page.fill('#form-fields [data-field="title"]', 'Half typed');
    await create(other, 'Project', { name: 'Mercury' });
    await page.locator('#form-fields [data-relation="project"] option', { hasText: 'Mercury' }).waitFor({ state: 'attached' });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.field), 'title');
    assert.equal(await page.inputValue('#form-fields [data-field="title"]'), 'Half typed');
    await other.close();
  });
});

describe('accessibility (axe-core)', () => {
  let context;

  after(() => context?.close());

  // axe checks labels, names, contrast, landmarks and ARIA use; the page is
  // checked with records, a query and a delete preview on screen.
  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    it(`has no violations on a ${name}`, { timeout: 60_000 }, async () => {
      context = await browser.newContext({ viewport, isMobile: name === 'phone' });
      const page = await newPage(context);
      await open(page, 'policies');
      await clearDatabase(page);
      await create(page, 'Project', { name: 'Apollo' });
      await create(page, 'Task', { title: 'Launch' }, { project: 'Apollo' });
      await create(page, 'Note', { text: 'Fuel' }, { project: 'Apollo' });
      await page.click('#add-condition');
      await page.click('#run-query');
      await page.locator('#explain').waitFor();
      await record(page, 'Project', 'Apollo').locator('[data-action=delete]').click();
      await page.locator('[data-testid=preview]').waitFor();
      await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
      });
      assert.deepEqual(violations, []);
      await context.close();
      context = null;
    });
  }
});

describe('the offline app', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext();
    page = await newPage(context);
  });

  after(() => context?.close());

  const shellCaches = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('playground-shell-')));

  it('caches every file of web/ and the package', async () => {
    const sw = await readFile(path.join(ROOT, 'web/sw.js'), 'utf8');
    const shell = JSON.parse(/const SHELL = (\[[^\]]*\])/.exec(sw)[1].replaceAll("'", '"').replace(/,\s*\]/, ']'));
    const files = (await readdir(path.join(ROOT, 'web'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile()).map((e) => path.relative(path.join(ROOT, 'web'), path.join(e.parentPath ?? e.path, e.name)))
      .map((f) => (f === 'index.html' ? './' : f)).filter((f) => f !== 'sw.js');
    assert.deepEqual(shell.filter((f) => !f.startsWith('/')).sort(), files.sort(), 'sw.js SHELL lists the files of web/');
    assert.deepEqual(shell.filter((f) => f.startsWith('/')), ['/dist/index.js', '/dist/datastore.wasm']);
  });

  it('has a manifest with installable icons', async () => {
    const res = await fetch(`${origin}/manifest.json`);
    assert.equal(res.status, 200);
    const manifest = await res.json();
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.type === 'image/png');
      assert.ok(icon, `an icon of ${size}`);
      assert.equal((await fetch(new URL(icon.src, `${origin}/`))).headers.get('content-type'), 'image/png');
    }
  });

  it('reloads, adds and deletes records with the network off', { timeout: 90_000 }, async () => {
    await open(page, 'blog');
    await page.waitForFunction(() => !!document.body.dataset.shellVersion && !!navigator.serviceWorker.controller);
    assert.equal((await shellCaches()).length, 1, 'one cache of the app shell');
    assert.ok(await page.locator('#update').isHidden(), 'no "new version" banner for the first worker');
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // A Playwright context is incognito, where nothing installs; anything
    // else Chromium finds missing (manifest, icons, worker) is ours.
    assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), [], 'Chromium finds the app installable');
    await cdp.detach();

    await context.setOffline(true);
    await stopServe(server); // nothing can come from the network now
    try {
      await page.reload();
      await ready(page);
      // The chip shows what the browser says: some Chromium builds (Debian's 148) do not
      // turn navigator.onLine false under Playwright's setOffline, though every request fails.
      assert.equal(await page.textContent('#network'), (await page.evaluate(() => navigator.onLine)) ? 'online' : 'offline');
      await create(page, 'Post', { title: 'Written offline', rating: 5, status: 'ACTIVE' });
      await create(page, 'Comment', { content: 'Also offline' }, { post: 'Written offline' });
      await record(page, 'Post', 'Written offline').locator('[data-action=delete]').click();
      await page.click('#confirm-delete');
      await page.locator('[data-testid=outcome]').waitFor();
      assert.match(await page.textContent('#delete-body'), /removed 2 records/);
      await page.click('#cancel-delete');
      await create(page, 'Post', { title: 'Kept from offline', rating: 3, status: 'INACTIVE' });
    } finally {
      // Served again even when a step above failed, so the tests after this one still run.
      server = await startServe(new URL(origin).host);
    }
    await context.setOffline(false);
    await page.reload();
    await ready(page);
    assert.equal(await page.textContent('#network'), 'online');
    await record(page, 'Post', 'Kept from offline').waitFor();
    assert.deepEqual(page.errors, []);
  });

  it('replaces the cached shell when a file of it changes', { timeout: 90_000 }, async () => {
    const [before] = await shellCaches();
    await appendFile(path.join(webDir, 'style.css'), '\n/* a new build */\n');
    await page.reload();
    await ready(page);
    await page.locator('#update').waitFor();
    const now = await shellCaches();
    assert.equal(now.length, 1, `one shell cache: ${now}`);
    assert.notEqual(now[0], before, 'a new version');
    const css = await page.evaluate(async (name) => (await (await caches.open(name)).match(new URL('style.css', location.href))).text(), now[0]);
    assert.match(css, /a new build/);
  });

  it('lets a new worker take over, keeping a shell that did not change', { timeout: 90_000 }, async () => {
    const before = await shellCaches();
    await appendFile(path.join(webDir, 'sw.js'), '\n// a new worker\n');
    await page.reload();
    await ready(page);
    // The shell's hash is the same, so only the new worker shows the banner: once it has
    // installed (it may wait long for the old one to let go, see offline.js) or taken over.
    await page.locator('#update').waitFor();
    assert.deepEqual(await shellCaches(), before, 'the same shell cache');
    assert.deepEqual(page.errors, []);
  });
});
