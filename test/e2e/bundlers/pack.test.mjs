// What `npm pack` of dist/ publishes: the files (one wasm, no compressed
// copies), the package metadata, and its size, printed. And the docs that
// ship or sit beside them link nowhere outside the repository.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { DIST, ROOT, pack } from './pack.mjs';

const FILES = [
  'CHANGELOG.md', 'LICENSE', 'README.md', 'bin/datastore-wasm.js', 'datastore.wasm', 'index.d.ts',
  'index.js', 'package.json', 'react.d.ts', 'react.js', 'typegen.js',
];

it('npm pack ships the package files, one wasm among them', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'datastore-wasm-pack-'));
  try {
    const packed = pack(dir);
    const names = packed.files.map((f) => f.path).sort();
    for (const f of packed.files) t.diagnostic(`${String(f.size).padStart(9)} B  ${f.path}`);
    t.diagnostic(`tarball ${path.basename(packed.tarball)}: ${packed.size} B packed, ${packed.unpackedSize} B unpacked`);
    assert.deepEqual(names, FILES);
    assert.equal(names.filter((n) => n.endsWith('.wasm') || n.includes('.wasm.')).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('package.json has what a registry page and an installer need', () => {
  const pkg = JSON.parse(readFileSync(path.join(DIST, 'package.json'), 'utf8'));
  for (const field of ['name', 'version', 'description', 'license', 'repository', 'homepage', 'keywords', 'types', 'exports', 'bin', 'engines']) {
    assert.ok(pkg[field], `package.json lacks ${field}`);
  }
  assert.match(pkg.version, /^\d+\.\d+\.\d+(-[\w.]+)?$/, 'a semantic version');
  assert.ok(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8').includes(`## ${pkg.version}`), `CHANGELOG.md has a section for ${pkg.version}`);
  assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './datastore.wasm', './package.json', './react']);
});

it('the README and the docs link only inside the repository', () => {
  const docs = ['README.md', 'js/README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const outside = [];
  for (const doc of docs) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    for (const m of text.matchAll(/\]\((https?:\/\/[^)\s]+)\)|<(https?:\/\/[^>\s]+)>/g)) {
      const url = new URL(m[1] || m[2]);
      if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') outside.push(`${doc}: ${url.href}`);
    }
  }
  assert.deepEqual(outside, []);
});
