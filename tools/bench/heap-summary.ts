/**
 * `tsx tools/bench/heap-summary.ts <file.heapsnapshot> [--top 25] [--per <records>] [--retainers <name>[,<name>…]]`:
 * what a V8 heap snapshot holds, by constructor (objects, closures, arrays) or kind
 * (strings, code…): count and self size, largest first — and, for the names given to
 * `--retainers`, what holds them (the referring object's name and the edge's name). Reads
 * the snapshot's arrays without `JSON.parse` of the whole file (a few hundred MB), so it
 * works on snapshots of large heaps. Self sizes only: no dominator tree.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A parsed snapshot: the flat node and edge arrays, as V8 writes them. */
export interface HeapSnapshot {
  readonly nodeFields: number;
  readonly edgeFields: number;
  readonly nodes: Uint32Array;
  readonly edges: Uint32Array;
  readonly strings: readonly string[];
  readonly nodeTypes: readonly string[];
  readonly edgeTypes: readonly string[];
  /** Field offsets in a node / an edge. */
  readonly at: { type: number; name: number; selfSize: number; edgeCount: number; edgeType: number; edgeName: number; toNode: number };
}

/** Parses the integers of the array that follows `"<key>":[` in `buf`. */
function intArray(buf: Buffer, key: string, count: number): Uint32Array {
  const start = buf.indexOf(`"${key}":[`);
  if (start < 0) throw new Error(`no "${key}" array in the snapshot`);
  const out = new Uint32Array(count);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (let i = start + key.length + 4; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else {
      if (inNumber) out[n++] = value;
      value = 0;
      inNumber = false;
      if (c === 93) break; // ]
    }
  }
  if (n !== count) throw new Error(`"${key}": read ${n} numbers, expected ${count}`);
  return out;
}

/** Reads a `.heapsnapshot` file. */
export function readHeapSnapshot(file: string): HeapSnapshot {
  const buf = readFileSync(file);
  const nodesAt = buf.indexOf('"nodes":[');
  const head = JSON.parse(`${buf.toString('utf8', 0, nodesAt).replace(/,\s*$/, '')}}`) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number; edge_count: number };
  };
  const { meta, node_count: nodeCount, edge_count: edgeCount } = head.snapshot;
  const stringsAt = buf.indexOf('"strings":[');
  const strings = JSON.parse(buf.toString('utf8', stringsAt + 10, buf.lastIndexOf(']') + 1)) as string[];
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  return {
    nodeFields: nf.length,
    edgeFields: ef.length,
    nodes: intArray(buf, 'nodes', nodeCount * nf.length),
    edges: intArray(buf, 'edges', edgeCount * ef.length),
    strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    at: {
      type: nf.indexOf('type'),
      name: nf.indexOf('name'),
      selfSize: nf.indexOf('self_size'),
      edgeCount: nf.indexOf('edge_count'),
      edgeType: ef.indexOf('type'),
      edgeName: ef.indexOf('name_or_index'),
      toNode: ef.indexOf('to_node'),
    },
  };
}

/** Each node's first edge (an index into `edges`), by node number. */
const firstEdges = new WeakMap<HeapSnapshot, Uint32Array>();
function firstEdge(s: HeapSnapshot, node: number): number {
  let starts = firstEdges.get(s);
  if (!starts) {
    starts = new Uint32Array(s.nodes.length / s.nodeFields);
    let edge = 0;
    for (let n = 0; n < starts.length; n++) {
      starts[n] = edge;
      edge += (s.nodes[n * s.nodeFields + s.at.edgeCount] as number) * s.edgeFields;
    }
    firstEdges.set(s, starts);
  }
  return starts[node / s.nodeFields] as number;
}

/** A plain object's property names (up to 8), e.g. `{id,row,outcome}`: tells plain objects apart. */
function shapeOf(s: HeapSnapshot, node: number): string {
  const names: string[] = [];
  const start = firstEdge(s, node);
  const count = s.nodes[node + s.at.edgeCount] as number;
  for (let e = 0; e < count && names.length < 8; e++) {
    const edge = start + e * s.edgeFields;
    if (s.edgeTypes[s.edges[edge + s.at.edgeType] as number] !== 'property') continue;
    const name = s.strings[s.edges[edge + s.at.edgeName] as number] as string;
    if (name !== '__proto__' && name !== 'map') names.push(name);
  }
  return `{${names.join(',')}${count > 8 && names.length === 8 ? ',…' : ''}}`;
}

/** What a node is counted as: its constructor for objects (plain objects with their property names), closures and natives; its kind otherwise. */
function label(s: HeapSnapshot, node: number): string {
  const type = s.nodeTypes[s.nodes[node + s.at.type] as number] as string;
  const name = s.strings[s.nodes[node + s.at.name] as number] as string;
  switch (type) {
    case 'object':
      return name === 'Object' ? `Object${shapeOf(s, node)}` : name;
    case 'native':
      return name;
    case 'closure':
      return `closure ${name || '(anonymous)'}`;
    case 'array':
    case 'hidden':
    case 'object shape':
      return `(${type}) ${name.length > 40 ? `${name.slice(0, 40)}…` : name}`;
    default:
      return `(${type})`;
  }
}

export interface HeapRow {
  readonly label: string;
  readonly count: number;
  readonly bytes: number;
}

/** Count and self size by {@link label}, largest first. */
export function byLabel(s: HeapSnapshot): HeapRow[] {
  const rows = new Map<string, { count: number; bytes: number }>();
  for (let node = 0; node < s.nodes.length; node += s.nodeFields) {
    const key = label(s, node);
    const row = rows.get(key) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += s.nodes[node + s.at.selfSize] as number;
    rows.set(key, row);
  }
  return [...rows].map(([l, r]) => ({ label: l, ...r })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * What holds the nodes labelled `target`: `<referrer label>.<edge name>`, with how many
 * distinct nodes each holds and their self size (a node held from several places counts
 * under each). Weak, prototype and hidden-class edges are left out.
 */
export function retainersOf(s: HeapSnapshot, target: string): HeapRow[] {
  const rows = new Map<string, { count: number; bytes: number; seen: Set<number> }>();
  let edge = 0;
  for (let node = 0; node < s.nodes.length; node += s.nodeFields) {
    const edges = s.nodes[node + s.at.edgeCount] as number;
    for (let e = 0; e < edges; e++, edge += s.edgeFields) {
      const type = s.edgeTypes[s.edges[edge + s.at.edgeType] as number];
      if (type === 'weak') continue;
      const to = s.edges[edge + s.at.toNode] as number;
      if (label(s, to) !== target) continue;
      const raw = s.edges[edge + s.at.edgeName] as number;
      const name = type === 'element' || type === 'hidden' ? `[${type}]` : (s.strings[raw] ?? String(raw));
      if (name === '__proto__' || name === 'map') continue; // every object's prototype and hidden class: not what keeps it
      const key = `${label(s, node)} .${name}`;
      const row = rows.get(key) ?? { count: 0, bytes: 0, seen: new Set<number>() };
      rows.set(key, row);
      if (row.seen.has(to)) continue;
      row.seen.add(to);
      row.count++;
      row.bytes += s.nodes[to + s.at.selfSize] as number;
    }
  }
  return [...rows].map(([l, r]) => ({ label: l, count: r.count, bytes: r.bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** A markdown table of rows: count, MB, and bytes per record when `per` is given. */
export function table(rows: readonly HeapRow[], top: number, per?: number): string {
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  const lines = [`| what | count | MB | share${per ? ' | bytes/record' : ''} |`, `|---|---:|---:|---:|${per ? '---:|' : ''}`];
  for (const r of rows.slice(0, top)) {
    lines.push(`| ${r.label.replace(/\|/g, '\\|')} | ${r.count.toLocaleString('en')} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${((r.bytes / total) * 100).toFixed(1)}%${per ? ` | ${(r.bytes / per).toFixed(0)}` : ''} |`);
  }
  lines.push(`| total | ${rows.reduce((a, r) => a + r.count, 0).toLocaleString('en')} | ${(total / 2 ** 20).toFixed(1)} | 100%${per ? ` | ${(total / per).toFixed(0)}` : ''} |`);
  return lines.join('\n');
}

/** Prints the summary of a snapshot (and the retainers of `retainers`). */
export function printSummary(file: string, options: { top?: number | undefined; per?: number | undefined; retainers?: readonly string[] | undefined } = {}): void {
  const s = readHeapSnapshot(file);
  console.log(table(byLabel(s), options.top ?? 25, options.per));
  for (const name of options.retainers ?? []) {
    console.log(`\nWhat holds ${name}:\n`);
    console.log(table(retainersOf(s, name), 12, options.per));
  }
}

if (process.argv[1] && /heap-summary\.[cm]?[jt]s$/.test(process.argv[1])) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, per: { type: 'string' }, retainers: { type: 'string' } } });
  const file = positionals[0];
  if (!file) {
    console.error('usage: tsx tools/bench/heap-summary.ts <file.heapsnapshot> [--top 25] [--per <records>] [--retainers <name>[,<name>…]]');
    process.exit(2);
  }
  printSummary(file, { top: Number(values.top ?? 25), per: values.per ? Number(values.per) : undefined, retainers: values.retainers?.split(',') });
}
