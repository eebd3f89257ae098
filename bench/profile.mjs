// Summarises a V8 .cpuprofile (from `node bench/run.mjs --profile NAME`, in /tmp/prof/NAME):
// top self-time functions, time by package, and what this package's own functions cost.
//
//   node bench/profile.mjs file.cpuprofile | directory (newest profile in it) [--top N]
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const top = Number(values.top);
if (positionals.length === 0) throw new Error('usage: node bench/profile.mjs FILE.cpuprofile | DIRECTORY [--top N]');
const file = await newestProfile(positionals[0]);
const profile = JSON.parse(await readFile(file, 'utf8'));

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Where a frame comes from: this package's dist/ file (mapped to its src/ name), a dependency, or node.
function area(url) {
  if (url === '') return '(native/gc/idle)';
  const dist = url.match(/\/work\/main\/dist\/(.+)\.js$/) ?? url.match(/login-with-token\/dist\/(.+)\.js$/);
  if (dist) return `ours: src/${dist[1]}.ts`;
  const dependency = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (dependency) return dependency[1];
  if (url.startsWith('node:')) return `node: ${url.slice(5).replace(/^internal\//, '')}`;
  return path.basename(url);
}
// Frames that mean "the framework is running the next handler" (or serving HTTP): below them
// nothing is our cost. Express getters our code reads (req.query, req.ip) do count as ours.
const dispatch = /^(next|handle|dispatch|handle_request|trimPrefix|layerHandle|processParams|authenticate|attempt)$/;
const isFramework = (where, name) =>
  /^(node: _http_\w+|node: net|node: http|[\w-]+\.mjs)$/.test(where) || (/^(express|router|passport)$/.test(where) && dispatch.test(name));
const key = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${area(url)}${url ? `:${lineNumber + 1}` : ''}`;
};

const self = new Map();
const byArea = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const node = nodes.get(id);
  total += delta;
  self.set(key(node), (self.get(key(node)) ?? 0) + delta);
  const where = node.callFrame.functionName === '(idle)' ? '(idle)' : area(node.callFrame.url);
  byArea.set(where, (byArea.get(where) ?? 0) + delta);
  // Our cost: walking up from the sample, the first frame of ours owns it (with whatever
  // library or crypto code it called) — unless a framework frame comes first, e.g. the route
  // handler that our middleware's next() ran, which is not our cost.
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at);
    const where = area(frame.callFrame.url);
    if (where.startsWith('ours: ')) {
      inclusive.set(key(frame), (inclusive.get(key(frame)) ?? 0) + delta);
      break;
    }
    if (isFramework(where, frame.callFrame.functionName)) break;
  }
});

const idle = self.get('(idle) (native/gc/idle)') ?? 0;
const busy = total - idle;
const print = (title, map, limit) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`);
print(`top ${top} self time`, new Map([...self].filter(([name]) => !name.startsWith('(idle)'))), top);
print('self time by package', new Map([...byArea].filter(([name]) => name !== '(idle)')), top);
print('our cost: time in our functions and what they call (not what next() runs)', inclusive, top);
const ours = [...inclusive.values()].reduce((sum, us) => sum + us, 0);
console.log(`\nours in total: ${(ours / 1000).toFixed(0)} ms, ${((ours / busy) * 100).toFixed(1)}% of busy time`);

async function newestProfile(target) {
  if (!(await stat(target)).isDirectory()) return target;
  const files = (await readdir(target)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${target}`);
  const dated = await Promise.all(files.map(async (name) => ({ name, mtime: (await stat(path.join(target, name))).mtimeMs })));
  return path.join(target, dated.sort((a, b) => b.mtime - a.mtime)[0].name);
}
