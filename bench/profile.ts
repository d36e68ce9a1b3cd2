/**
 * Summarizes a profile of the daemon: `node bench/profile.ts FILE [TOP]`.
 *   .cpuprofile  (--cpu-prof): CPU time by file (packages grouped), by function (self) and inclusive;
 *   .heapprofile (--alloc-prof): bytes allocated, the same three ways.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

const where = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/(dist|src|bench)\//, '$1/')}:${f.lineNumber + 1}`;
const fileOf = (f: CallFrame) =>
  f.url
    .replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, 'package $1')
    .replace(/^.*\/(dist|src|bench)\//, '$1/') ||
  f.functionName ||
  '(native)';

/** Self and inclusive weight per function, self weight per file, from (frame, self weight, ancestors). */
class Tally {
  readonly self = new Map<string, number>();
  readonly inclusive = new Map<string, number>();
  readonly files = new Map<string, number>();
  total = 0;

  add(frame: CallFrame, weight: number, stack: readonly string[]): void {
    const key = where(frame);
    this.total += weight;
    bump(this.self, key, weight);
    bump(this.files, fileOf(frame), weight);
    for (const k of new Set([...stack, key])) bump(this.inclusive, k, weight);
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function cpu(profile: CpuProfile): Tally {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const tally = new Tally();
  for (const [id, us] of selfUs) {
    const stack: string[] = [];
    for (let p = parent.get(id); p !== undefined; p = parent.get(p))
      stack.push(where(byId.get(p)!.callFrame));
    tally.add(byId.get(id)!.callFrame, us / 1000, stack);
  }
  return tally;
}

function heap(root: HeapNode): Tally {
  const tally = new Tally();
  const walk = (node: HeapNode, stack: string[]) => {
    tally.add(node.callFrame, node.selfSize / 2 ** 20, stack);
    const next = [...stack, where(node.callFrame)];
    node.children.forEach((child) => walk(child, next));
  };
  walk(root, []);
  return tally;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile.ts FILE.cpuprofile|FILE.heapprofile [TOP]');
  process.exit(2);
}
const data = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | { head: HeapNode };
const isHeap = 'head' in data;
const tally = isHeap ? heap(data.head) : cpu(data);
const unit = isHeap ? 'MB allocated' : 'ms';
const top = Number(topArg ?? 25);
for (const [title, map] of [
  ['by file', tally.files],
  ['by function (self)', tally.self],
  ['by function (inclusive)', tally.inclusive],
] as const) {
  console.log(`\n== ${title}: ${tally.total.toFixed(0)} ${unit} in all`);
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, value]) =>
      console.log(
        `${value.toFixed(isHeap ? 1 : 0).padStart(9)} ${((100 * value) / tally.total).toFixed(1).padStart(5)} %  ${key}`,
      ),
    );
}
