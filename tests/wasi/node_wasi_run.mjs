// Run a WASI preview1 command with Node's WASI, mimicking the corowasm CLI shape:
//   node node_wasi_run.mjs [--dir HOST[::GUEST]]... [--ro-dir HOST[::GUEST]]... [--env K=V]...
//                          FILE.wasm [ARGS...]
// Only for checking the tests in tests/wasi against a second implementation. Node has no
// read-only preopens: --ro-dir is preopened read-write (with a warning on stderr), so the
// read-only test fails under Node. A trap exits with 134 like corowasm.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import process from 'node:process';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
function splitDir(s) {
  const k = s.indexOf('::');
  return k < 0 ? [s, s] : [s.slice(0, k), s.slice(k + 2)];
}
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--dir' || a === '--ro-dir') {
    const [host, guest] = splitDir(argv[++i]);
    if (a === '--ro-dir') process.stderr.write(`node_wasi_run: warning: ${guest} is NOT read-only under node\n`);
    preopens[guest] = host;
  } else if (a === '--env') {
    const kv = argv[++i];
    const k = kv.indexOf('=');
    env[kv.slice(0, k)] = kv.slice(k + 1);
  } else if (a === '--') {
    i++;
    break;
  } else if (a.startsWith('--')) {
    // --fuel, --timeout, --max-memory, --invoke take a value; --verbose does not.
    if (a !== '--verbose') i++;
  } else {
    break;
  }
}
if (i >= argv.length) {
  process.stderr.write('usage: node_wasi_run.mjs [--dir H[::G]]... [--env K=V]... FILE.wasm [ARGS...]\n');
  process.exit(1);
}
const file = argv[i];
const args = argv.slice(i);
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
try {
  const module = await WebAssembly.compile(readFileSync(file));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const code = wasi.start(instance);
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`node_wasi_run: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = e instanceof WebAssembly.RuntimeError ? 134 : 1;
}
