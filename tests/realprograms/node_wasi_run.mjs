#!/usr/bin/env node
// Runs a wasm32-wasi command under Node's WASI (preview 1), with the same command line as
// `corowasm run`:
//   node node_wasi_run.mjs [--dir HOST[::GUEST]]... [--env K=V]... FILE.wasm [ARGS...]
// The exit status is the guest's exit code; a trap prints a message on stderr and exits 134.
// A reference runner for tests/realprograms and bench/wasi.
import { readFile } from 'node:fs/promises';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

// node:wasi prints an ExperimentalWarning when loaded: keep stderr for the guest.
process.emitWarning = () => {};
// Node 20's V8 (11.3) crashes now and then in its GC on programs that grow memory to hundreds of
// MB (see README.md). Without concurrent marking some of those runs pass (zstd -19 on 400 KB);
// bigger ones still crash, so the tests and benchmarks stay below that.
(await import('node:v8')).setFlagsFromString('--no-concurrent-marking');
const { WASI } = await import('node:wasi');

function usage(msg) {
  process.stderr.write(`node_wasi_run: ${msg}\n` +
    'usage: node node_wasi_run.mjs [--dir HOST[::GUEST]]... [--env K=V]... FILE.wasm [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
for (; i < argv.length; i++) {
  const a = argv[i];
  let val;
  const take = (name) => {
    if (a === name) {
      if (i + 1 >= argv.length) usage(`${name} needs a value`);
      return argv[++i];
    }
    if (a.startsWith(name + '=')) return a.slice(name.length + 1);
    return undefined;
  };
  if ((val = take('--dir')) !== undefined) {
    const sep = val.indexOf('::');
    const host = sep < 0 ? val : val.slice(0, sep);
    const guest = sep < 0 ? val : val.slice(sep + 2);
    preopens[guest] = host;
  } else if ((val = take('--env')) !== undefined) {
    const eq = val.indexOf('=');
    if (eq < 0) usage(`--env needs K=V, got ${val}`);
    env[val.slice(0, eq)] = val.slice(eq + 1);
  } else if (a === '--') {
    i++;
    break;
  } else if (a.startsWith('--')) {
    usage(`unknown option ${a}`);
  } else {
    break;
  }
}
if (i >= argv.length) usage('no FILE.wasm');
const file = argv[i];
const args = argv.slice(i);

// The guest runs in a worker thread with a large stack: wasm recursion uses the thread's native
// stack, and the main thread's (about 1 MB for V8) is too small for programs that recurse as
// deeply as they may natively with 8 MB (jq's regression tests do).
const STACK_MB = 256;

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { stackSizeMb: STACK_MB },
    stdout: false,
    stderr: false,
  });
  worker.on('message', (m) => {
    if (m.trap !== undefined) {
      process.stderr.write(`node_wasi_run: ${file}: ${m.trap}\n`);
      process.exitCode = 134;
    } else {
      process.exitCode = m.code;
    }
  });
  worker.on('error', (e) => {
    process.stderr.write(`node_wasi_run: ${file}: ${e && e.message ? e.message : e}\n`);
    process.exitCode = 134;
  });
} else {
  let msg;
  try {
    const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
    const module = await WebAssembly.compile(await readFile(file));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    msg = { code: wasi.start(instance) ?? 0 };
  } catch (e) {
    msg = { trap: `${e instanceof WebAssembly.RuntimeError ? 'trap: ' : ''}${e && e.message ? e.message : e}` };
  }
  parentPort.postMessage(msg);
}
