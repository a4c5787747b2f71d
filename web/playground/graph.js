// Draws a schema's models and relations as SVG: a node per model (with its
// record count), an arrow per has-many and has-one from the record whose
// delete it governs to the records it reaches, labelled with the relation's
// field, kind and delete policy; a belongs-to with no inverse is a dashed
// arrow. Layers follow the arrows, so a cascade reads top to bottom.
import { sourceHoldsKey } from './relations.js';

// Sizes in SVG units; a narrow screen gets narrower nodes so that the text
// is not scaled down to nothing.
const WIDE = { NODE_W: 168, GAP_X: 36, PAD: 16, CHAR_W: 6.1 };
const NARROW = { NODE_W: 120, GAP_X: 12, PAD: 4, CHAR_W: 6.7 };
const NODE_H = 58;
const GAP_Y = 84;
const SVG = 'http://www.w3.org/2000/svg';

const KIND_WORDS = { HAS_MANY: 'has many', HAS_ONE: 'has one', BELONGS_TO: 'belongs to' };
const KIND_SHORT = { HAS_MANY: '1:n', HAS_ONE: '1:1', BELONGS_TO: 'n:1' };

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The edges to draw: cascading relations, and belongs-tos without an inverse. */
export function edgesOf(schema) {
  const edges = [];
  for (const m of schema.models.values()) {
    for (const rel of m.relations) {
      if (rel.kind !== 'BELONGS_TO') {
        edges.push({ from: m.name, to: rel.target, rel, label: `${rel.field} ${rel.manyToMany ? 'n:m' : KIND_SHORT[rel.kind]} · ${rel.policy}`, policy: rel.policy });
        continue;
      }
      const inverse = schema.models.get(rel.target)?.relations.some((r) => r.kind !== 'BELONGS_TO' && r.target === m.name &&
        r.remote.join() === rel.local.join());
      if (!inverse) edges.push({ from: m.name, to: rel.target, rel, label: `${rel.field} n:1`, policy: 'none' });
    }
  }
  return edges;
}

// layers gives each model the length of the longest path to it, following
// cascades downwards and putting a belongs-to's parent above its child.
function layers(schema, edges) {
  const depth = new Map([...schema.models.keys()].map((n) => [n, 0]));
  const n = schema.models.size;
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (const e of edges) {
      if (e.from === e.to) continue;
      const [upper, lower] = e.policy === 'none' ? [e.to, e.from] : [e.from, e.to];
      const d = depth.get(upper) + 1;
      if (d > depth.get(lower) && d < n) {
        depth.set(lower, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

// order sorts each row by where its neighbours in the rows above sit, so
// that edges cross less.
function order(rows, edges) {
  const index = new Map();
  rows.forEach((row = [], i) => {
    if (i > 0) {
      const mean = (name) => {
        const xs = edges.filter((e) => e.from === name || e.to === name).map((e) => index.get(e.from === name ? e.to : e.from)).filter((x) => x !== undefined);
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity;
      };
      const keyed = row.map((name, j) => [mean(name), j, name]);
      keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      rows[i] = row = keyed.map((k) => k[2]);
    }
    row.forEach((name, j) => index.set(name, (j + 0.5) / row.length));
  });
  return rows;
}

/**
 * Renders the graph into svg. counts: Map(model → number of records);
 * marks: Map(model → { deletes, nulls, blocks }) during a delete preview.
 */
export function renderGraph(svg, schema, counts = new Map(), marks = new Map()) {
  const { NODE_W, GAP_X, PAD, CHAR_W } = (svg.parentElement?.clientWidth || 1000) < 520 ? NARROW : WIDE;
  const labelWidth = (text) => text.length * CHAR_W + 14;
  const edges = edgesOf(schema);
  const depth = layers(schema, edges);
  const rows = [];
  for (const [name, d] of depth) (rows[d] ||= []).push(name);
  order(rows, edges);
  const widest = Math.max(1, ...rows.map((r) => r?.length || 0));
  const width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const height = PAD * 2 + rows.length * NODE_H + (rows.length - 1) * GAP_Y;
  const pos = new Map();
  rows.forEach((row = [], i) => {
    const rowWidth = row.length * NODE_W + (row.length - 1) * GAP_X;
    row.forEach((name, j) => {
      pos.set(name, { x: (width - rowWidth) / 2 + j * (NODE_W + GAP_X), y: PAD + i * (NODE_H + GAP_Y) });
    });
  });

  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.style.maxWidth = `${width}px`;
  const defs = el('defs');
  for (const p of ['cascade', 'setNull', 'restrict', 'none']) {
    const marker = el('marker', { id: `arrow-${p}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead policy-${p}` }));
    defs.append(marker);
  }
  svg.append(defs);

  const edgeLayer = el('g', { class: 'edges' });
  const labelLayer = el('g', { class: 'labels' });
  const pairs = new Map();
  const placed = []; // label boxes drawn so far: { x, y, w }
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const pair = [e.from, e.to].sort().join('|');
    const nth = pairs.get(pair) || 0;
    pairs.set(pair, nth + 1);
    const shift = nth * 22;
    let d;
    let mid;
    if (a.y === b.y) {
      // Same layer (a cycle or an upward belongs-to): arc below the nodes.
      const x1 = a.x + NODE_W / 2;
      const x2 = b.x + NODE_W / 2;
      const y = a.y + NODE_H;
      const dip = y + 40 + shift;
      d = `M${x1},${y} C${x1},${dip} ${x2},${dip} ${x2},${y + 2}`;
      mid = { x: (x1 + x2) / 2, y: dip - 10 };
    } else {
      const down = b.y > a.y;
      const x1 = a.x + NODE_W / 2 + shift;
      const y1 = down ? a.y + NODE_H : a.y;
      const x2 = b.x + NODE_W / 2 + shift;
      const y2 = down ? b.y - 2 : b.y + NODE_H + 2;
      const ym = (y1 + y2) / 2;
      d = `M${x1},${y1} C${x1},${ym} ${x2},${ym} ${x2},${y2}`;
      // The label sits where edges that fan out of one node (or into one)
      // have parted, or else wherever it overlaps no other label.
      const fanOut = edges.filter((x) => x.from === e.from).length > 1;
      const fanIn = edges.filter((x) => x.to === e.to).length > 1;
      const first = fanOut && !fanIn ? 0.66 : fanIn && !fanOut ? 0.34 : 0.5;
      const at = (t) => {
        const u = 1 - t;
        return { x: u * u * u * x1 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x2, y: u * u * u * y1 + 3 * u * u * t * ym + 3 * u * t * t * ym + t * t * t * y2 };
      };
      const w = labelWidth(e.label);
      const free = (c) => placed.every((b) => Math.abs(b.x - c.x) * 2 >= b.w + w + 4 || Math.abs(b.y - c.y) >= 22);
      mid = [first, 0.5, 0.3, 0.7, 0.2, 0.8].map(at).find(free) || at(first);
    }
    edgeLayer.append(el('path', { d, class: `edge policy-${e.policy}${e.policy === 'none' ? ' dashed' : ''}`, 'marker-end': `url(#arrow-${e.policy})` }));
    const label = el('g', { class: `edge-label policy-${e.policy}`, transform: `translate(${mid.x},${mid.y})` });
    const text = el('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' }, e.label);
    const approx = labelWidth(e.label);
    placed.push({ x: mid.x, y: mid.y, w: approx });
    label.append(el('rect', { x: -approx / 2, y: -10, width: approx, height: 20, rx: 10 }), text);
    labelLayer.append(label);
  }
  svg.append(edgeLayer);

  const nodeLayer = el('g', { class: 'nodes' });
  for (const [name, p] of pos) {
    const m = schema.models.get(name);
    const mark = marks.get(name);
    const cls = ['node'];
    if (m.join) cls.push('join');
    if (mark?.deletes) cls.push('will-delete');
    if (mark?.nulls) cls.push('will-null');
    if (mark?.blocks) cls.push('blocks');
    const g = el('g', { class: cls.join(' '), transform: `translate(${p.x},${p.y})`, 'data-model': name });
    g.append(el('rect', { width: NODE_W, height: NODE_H, rx: 10 }));
    g.append(el('text', { x: NODE_W / 2, y: 24, 'text-anchor': 'middle', class: 'node-name' }, name));
    const count = counts.get(name) ?? 0;
    const parts = [];
    if (mark?.deletes) parts.push(`${mark.deletes} of ${count} deleted`);
    if (mark?.nulls) parts.push(`${mark.nulls} of ${count} set null`);
    if (mark?.blocks) parts.push(`${mark.blocks} of ${count} restrict`);
    const sub = parts.length ? parts.join(', ') : `${count} record${count === 1 ? '' : 's'}`;
    g.append(el('text', { x: NODE_W / 2, y: 42, 'text-anchor': 'middle', class: 'node-sub' }, m.join ? `${sub} · join` : sub));
    nodeLayer.append(g);
  }
  svg.append(nodeLayer, labelLayer);
}

/** One sentence per relation, for the list under the graph and screen readers. */
export function describeRelations(schema) {
  const out = [];
  for (const m of schema.models.values()) {
    for (const rel of m.relations) {
      const kind = rel.manyToMany ? `many to many (through ${rel.target} to ${rel.through})` : KIND_WORDS[rel.kind];
      const join = rel.local.map((f, i) => `${rel.target}.${rel.remote[i]} = ${m.name}.${f}`).join(' and ');
      const onDelete = rel.kind === 'BELONGS_TO' ? 'the parent\'s policy decides deletes'
        : rel.policy === 'setNull' && sourceHoldsKey(m, rel) ? 'setNull: nothing to clear (the key is on this record)'
          : `on delete: ${rel.policy}`;
      out.push({ model: m.name, field: rel.field, kind, join, onDelete, policy: rel.kind === 'BELONGS_TO' ? 'none' : rel.policy });
    }
  }
  return out;
}
