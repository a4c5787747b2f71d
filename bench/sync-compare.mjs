// Two builds of the product on the sync workloads, alternated in one run
// (to tell a change's effect on a loaded machine):
//
//   node bench/sync-compare.mjs --base=DIR [--dist=DIR] [--reps=N] [--only=REGEXP] [--amplify]
//
// DIR is a copy of dist/ made before the change (cp -r dist /tmp/dist-base);
// --dist defaults to dist/. Prints each workload's figures per build and the
// ratio new/base, paired per repetition (with --amplify, Amplify's too).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSync } from './sync.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const args = process.argv.slice(2);
const option = (name, def) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
if (!option('base')) {
  console.error('usage: node bench/sync-compare.mjs --base=DIR [--dist=DIR] [--reps=N] [--only=REGEXP] [--amplify]');
  process.exit(2);
}
const clients = ['base', 'product', ...(args.includes('--amplify') ? ['amplify'] : [])];
const out = await runSync({
  dist: path.resolve(option('dist', path.join(ROOT, 'dist'))), builds: { base: path.resolve(option('base')) },
  smoke: false, reps: Number(option('reps', 3)), only: new RegExp(option('only', '^sync-first$')), flags: FLAGS, clients,
  log: (...a) => console.error(...a),
  record: (w, rep, o) => { for (const c of o.checks || []) if (!c.ok) console.error(`CHECK FAILED: ${c.what}`); },
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const [w, r] of Object.entries(out.runs)) {
  for (const key of Object.keys(r.product.find((o) => o && o.values)?.values || {})) {
    const fig = (c) => r[c].map((o) => o && o.values && o.values[key]);
    const line = clients.map((c) => `${c} ${median(fig(c).filter(Number.isFinite)).toFixed(1)} ms`).join(', ');
    const paired = fig('product').map((v, i) => v / fig('base')[i]).filter(Number.isFinite);
    console.log(`${w} ${key}: ${line}; new/base ${median(paired).toFixed(2)}× (${paired.map((x) => x.toFixed(2)).join(' ')})`);
  }
}
