// Packs dist/ as npm would publish it and installs the tarball into a
// fresh app directory with `npm install --offline <tarball>` (the package
// has no dependencies, so nothing is fetched); the dev packages an app
// needs (react, fake-indexeddb) are then linked from the repo's
// node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DIST = path.join(ROOT, 'dist');

/** Runs `npm pack` on dist/ into dir; returns {tarball, size, files: [{path, size}]}. */
export function pack(dir) {
  const out = execFileSync('npm', ['pack', DIST, '--json', '--pack-destination', dir, '--offline', '--ignore-scripts'], { encoding: 'utf8' });
  const [info] = JSON.parse(out);
  const tarball = path.join(dir, info.filename);
  return { tarball, size: statSync(tarball).size, unpackedSize: info.unpackedSize, files: info.files.map((f) => ({ path: f.path, size: f.size })) };
}

/**
 * Makes an app directory with the packed package installed and files
 * written ({relative path: text}); links the named packages from the
 * repo's node_modules. Returns {dir, packed, cleanup}.
 */
export function makeApp(name, files = {}, links = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `datastore-wasm-${name}-`));
  const packed = pack(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', packed.tarball], { cwd: dir, stdio: 'pipe' });
  for (const link of links) {
    const target = path.join(dir, 'node_modules', link);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', link), target, 'dir');
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return { dir, packed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The text of a file of this directory. */
export const fixture = (file) => readFileSync(new URL(file, import.meta.url), 'utf8');
