#!/usr/bin/env node
// Runs .tflite models in LiteRT.js (@litertjs/core, Google's WebAssembly
// build of LiteRT) under plain Node, reading inputs from and writing outputs
// to .npy files, so QuantScope's interpreter can be compared with a real
// TFLite runtime.
//
//   node litert_run.mjs MODEL IN_DIR OUT_DIR [--signature KEY] [--repeat N]
//   node litert_run.mjs --jobs JOBS.json
//   node litert_run.mjs --describe MODEL
//   common option: --node-modules DIR   (else $QS_LITERT_NODE_MODULES, else
//                                        the usual lookup from this file)
//
// IN_DIR holds input_0.npy, input_1.npy, ... in the signature's input order
// (LiteRT's order, as --describe prints it). When IN_DIR/names.json lists one
// input name per file and those names are the signature's (unique) names,
// files are matched by name instead. Outputs go to OUT_DIR/output_<i>.npy
// with OUT_DIR/outputs.json ({signature, inputs, outputs: [{name, file,
// dtype, shape, shape_known}]}). --repeat N runs N more times after the
// first and prints {"mean_ms", "mean_cpu_ms"} (wall and CPU time of the run
// call only) as one JSON line.
//
// --jobs takes a JSON array of {model, in, out, signature?} and runs them
// all in one process (loading the WebAssembly module takes about a second),
// writing OUT/status.json for each: {"ok": true} or {"ok": false, "stage",
// "error"}. Stage "load"/"compile"/"run" means LiteRT refused or failed;
// stage "input" means the job itself is wrong (a harness bug).
//
// Why the low-level bindings: the package's high-level Tensor API only
// takes float32/int32/uint8 data. We load the emscripten glue and .wasm
// from node_modules directly and use LiteRtModel / CompiledModel /
// TensorBuffer, which take every element type. The "compat" build is used
// because Node 20 lacks relaxed SIMD, which the default build needs.
//
// Exit status: 0 success (with --jobs: all jobs attempted), 1 error in a
// single run caused by the inputs or this script, 2 usage, 3 LiteRT refused
// or failed the model (single run).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The package's builds: "litert_wasm_internal" needs relaxed SIMD (Node 20:
// node --experimental-wasm-relaxed-simd), "litert_wasm_compat_internal"
// runs anywhere and is the default, so results don't depend on the host.
const WASM_VARIANT = process.env.QS_LITERT_WASM || 'litert_wasm_compat_internal';

// LiteRT's ElementType values (litert_model_types.h, reproduced in the
// package's index.d.ts) and the NumPy dtypes that hold the same bytes.
const DTYPES = [
  { descr: 'f4', litert: 1, size: 4, name: 'float32' },
  { descr: 'i4', litert: 2, size: 4, name: 'int32' },
  { descr: 'u1', litert: 3, size: 1, name: 'uint8' },
  { descr: 'i8', litert: 4, size: 8, name: 'int64' },
  { descr: 'b1', litert: 6, size: 1, name: 'bool' },
  { descr: 'i2', litert: 7, size: 2, name: 'int16' },
  { descr: 'c8', litert: 8, size: 8, name: 'complex64' },
  { descr: 'i1', litert: 9, size: 1, name: 'int8' },
  { descr: 'f2', litert: 10, size: 2, name: 'float16' },
  { descr: 'f8', litert: 11, size: 8, name: 'float64' },
  { descr: 'c16', litert: 12, size: 16, name: 'complex128' },
  { descr: 'u8', litert: 13, size: 8, name: 'uint64' },
  { descr: 'u4', litert: 16, size: 4, name: 'uint32' },
  { descr: 'u2', litert: 17, size: 2, name: 'uint16' },
];

class UsageError extends Error {}
// A problem with the job (files, dtypes, shapes), not with LiteRT.
class InputError extends Error {}
class LiteRtError extends Error {
  constructor(stage, cause) {
    super(firstLines(cause));
    this.stage = stage;
  }
}

function firstLines(e, n = 4) {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : e.name + ': '}${e.message}` : String(e);
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, n).join(' | ');
}

// ---------------------------------------------------------------- .npy files

function parseNpy(bytes, file) {
  const fail = (what) => { throw new InputError(`${file}: ${what}`); };
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') fail('not a .npy file');
  const major = bytes[6];
  let headerLen;
  let start;
  if (major === 1) {
    headerLen = bytes.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = bytes.readUInt32LE(8);
    start = 12;
  } else {
    fail(`unsupported .npy version ${major}`);
  }
  const header = bytes.toString('latin1', start, start + headerLen);
  const descr = /'descr'\s*:\s*'([<>|=]?)([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) fail(`cannot parse the header ${JSON.stringify(header.trim())}`);
  if (descr[1] === '>') fail('big-endian data is not supported');
  if (fortran[1] === 'True') fail('Fortran-order data is not supported');
  const dtype = DTYPES.find((d) => d.descr === descr[2]);
  if (!dtype) fail(`unsupported dtype '${descr[1]}${descr[2]}'`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => Number.parseInt(s, 10));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart !== count * dtype.size) {
    fail(`holds ${bytes.length - dataStart} data bytes, shape [${dims}] ${dtype.name} needs ${count * dtype.size}`);
  }
  return { dtype, shape: dims, data: bytes.subarray(dataStart) };
}

function npyBytes(dtype, shape, data) {
  const order = dtype.size === 1 ? '|' : '<';
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${order}${dtype.descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const padded = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(padded - 10 - 1, ' ') + '\n';
  const prelude = Buffer.alloc(10);
  prelude.write('\x93NUMPY', 0, 'latin1');
  prelude[6] = 1;
  prelude[7] = 0;
  prelude.writeUInt16LE(header.length, 8);
  return Buffer.concat([prelude, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

// ------------------------------------------------------------------- LiteRT

function findWasmDir(nodeModules) {
  const candidates = [];
  if (nodeModules) candidates.push(path.join(nodeModules, '@litertjs/core/wasm'));
  if (process.env.QS_LITERT_NODE_MODULES) candidates.push(path.join(process.env.QS_LITERT_NODE_MODULES, '@litertjs/core/wasm'));
  try {
    const req = createRequire(import.meta.url);
    candidates.push(path.join(path.dirname(req.resolve('@litertjs/core/package.json')), 'wasm'));
  } catch {
    // not installed beside this script
  }
  candidates.push(path.join(process.cwd(), 'node_modules/@litertjs/core/wasm'));
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, `${WASM_VARIANT}.js`))) return dir;
  }
  throw new UsageError(`@litertjs/core not found (looked in: ${candidates.join(', ')}); run npm ci in tests/conformance or pass --node-modules`);
}

class LiteRt {
  constructor(wasmDir) {
    this.wasmDir = wasmDir;
    this.wasm = null;
    this.cache = null; // {key, model, compiled, ptr, signatureIndex}
    this.errors = [];
  }

  // LiteRT reports some failures only in its log (an unresolved custom op
  // makes compilation log "Failed to allocate tensors" yet return a model
  // whose run() succeeds with garbage), so ERROR lines count as failures.
  onLog(text) {
    if (process.env.QS_LITERT_VERBOSE) process.stderr.write(`${text}\n`);
    if (/^(ERROR|FATAL)\b/.test(text)) this.errors.push(text.trim());
  }

  // Runs `step`, failing as `stage` if it throws or LiteRT logs an error.
  async checked(stage, step) {
    this.errors = [];
    let result;
    try {
      result = await step();
    } catch (e) {
      throw new LiteRtError(stage, this.errors.length ? new Error(`${firstLines(e)} | ${this.errors.join(' | ')}`) : e);
    }
    if (this.errors.length) throw new LiteRtError(stage, new Error(this.errors.join(' | ')));
    return result;
  }

  async load() {
    const glueFile = path.join(this.wasmDir, `${WASM_VARIANT}.js`);
    const glue = fs.readFileSync(glueFile, 'utf8');
    // The glue is a classic script defining `ModuleFactory`; it expects
    // CommonJS's require/__filename/__dirname when it runs under Node.
    const factory = new Function('require', '__filename', '__dirname', `${glue}\nreturn ModuleFactory;`)(
      createRequire(glueFile), glueFile, this.wasmDir);
    this.wasm = await factory({
      locateFile: (p) => path.join(this.wasmDir, p),
      print: (text) => this.onLog(text),
      printErr: (text) => this.onLog(text),
    });
    this.env = this.wasm.LiteRtEnvironment.create(null);
    this.cache = null;
  }

  // After a WebAssembly trap the module's state can't be trusted: start over.
  async reload() {
    this.wasm = null;
    await this.load();
  }

  dims(tensorType) {
    const layout = tensorType.layout();
    const v = layout.dimensions();
    const out = [];
    for (let i = 0; i < v.size(); ++i) out.push(v.get(i));
    v.delete();
    layout.delete();
    return out;
  }

  vectorNames(v) {
    const out = [];
    for (let i = 0; i < v.size(); ++i) out.push(v.get(i));
    v.delete();
    return out;
  }

  async open(modelFile, signatureKey) {
    const key = `${modelFile}\u0000${signatureKey ?? ''}`;
    this.lastKey = key;
    if (this.cache && this.cache.key === key) return this.cache;
    // The next sample of a model LiteRT refused is refused the same way,
    // without another load (and module reload).
    if (this.refused && this.refused.key === key) throw this.refused.error;
    this.release();
    const w = this.wasm;
    let bytes;
    try {
      bytes = fs.readFileSync(modelFile);
    } catch (e) {
      throw new InputError(`${modelFile}: ${e.message}`);
    }
    const ptr = w._malloc(bytes.length);
    w.HEAPU8.set(bytes, ptr);
    const entry = { key, ptr, model: null, compiled: null, signatureIndex: 0 };
    this.cache = entry;
    entry.model = await this.checked('load', () => w.loadModel(this.env, ptr, bytes.length));
    const count = entry.model.getNumSignatures();
    entry.signatures = [];
    for (let s = 0; s < count; ++s) {
      const sig = entry.model.getSignature(s);
      entry.signatures.push({
        key: sig.key(),
        inputs: this.vectorNames(sig.inputNames()).map((name, i) => {
          const t = entry.model.getInputTensorType(s, i);
          const info = { name, litertType: t.elementType().value, shape: this.dims(t) };
          t.delete();
          return info;
        }),
        outputs: this.vectorNames(sig.outputNames()).map((name, i) => {
          const t = entry.model.getOutputTensorType(s, i);
          const info = { name, litertType: t.elementType().value, shape: this.dims(t) };
          t.delete();
          return info;
        }),
      });
      sig.delete();
    }
    if (signatureKey) {
      entry.signatureIndex = entry.signatures.findIndex((s) => s.key === signatureKey);
      if (entry.signatureIndex < 0) {
        throw new InputError(`${modelFile}: no signature '${signatureKey}' (LiteRT sees: ${entry.signatures.map((s) => s.key).join(', ')})`);
      }
    }
    entry.compiled = await this.checked('compile', () => w.compileModel(this.env, entry.model, {
      environment: this.env, accelerator: 'wasm', cpuOptions: { numThreads: 1 }, gpuOptions: {}, webNNOptions: {},
    }));
    return entry;
  }

  release() {
    const c = this.cache;
    this.cache = null;
    if (!c || !this.wasm) return;
    try {
      if (c.compiled) c.compiled.delete();
      if (c.model) c.model.delete();
      this.wasm._free(c.ptr);
    } catch {
      // a trapped module can't free; it is about to be replaced anyway
    }
  }

  makeBuffer(litertType, shape, data) {
    const w = this.wasm;
    const v = new w.VectorInt32();
    for (const d of shape) v.push_back(d);
    const layout = w.LiteRtLayout.create(v);
    v.delete();
    const tt = w.LiteRtRankedTensorType.create({ value: litertType }, layout);
    layout.delete();
    const bytes = tt.bytes();
    if (bytes !== data.byteLength) {
      tt.delete();
      throw new InputError(`input data holds ${data.byteLength} bytes, LiteRT expects ${bytes}`);
    }
    const buffer = w.LiteRtTensorBuffer.createManaged(this.env, w.LiteRtTensorBufferType.HOST_MEMORY, tt, bytes);
    tt.delete();
    const ptr = buffer.lock(w.LiteRtTensorBufferLockMode.WRITE);
    try {
      w.HEAPU8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
    } finally {
      buffer.unlock();
    }
    return buffer;
  }

  readBuffer(buffer, declared) {
    const w = this.wasm;
    const tt = buffer.tensorType();
    const type = tt.elementType().value;
    const dtype = DTYPES.find((d) => d.litert === type);
    let shape = this.dims(tt);
    tt.delete();
    if (!dtype) throw new LiteRtError('run', new Error(`output element type ${type} has no .npy equivalent`));
    // What the package's own Tensor.data() reads: packedSize() bytes at the
    // locked pointer (which already includes the buffer's offset).
    const bytes = buffer.packedSize();
    const count = bytes / dtype.size;
    // A -1 left in the layout means LiteRT didn't resolve the shape; infer
    // it when only one dimension is unknown.
    let known = shape.every((d) => d >= 0);
    if (!known) {
      const unknown = shape.filter((d) => d < 0).length;
      const rest = shape.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
      if (unknown === 1 && rest > 0 && count % rest === 0) {
        shape = shape.map((d) => (d < 0 ? count / rest : d));
        known = true;
      } else {
        shape = [count];
      }
    } else if (shape.reduce((a, b) => a * b, 1) !== count) {
      throw new LiteRtError('run', new Error(`output buffer holds ${bytes} bytes for shape [${shape}] (declared [${declared}])`));
    }
    const ptr = buffer.lock(w.LiteRtTensorBufferLockMode.READ);
    let data;
    try {
      data = w.HEAPU8.slice(ptr, ptr + bytes);
    } finally {
      buffer.unlock();
    }
    return { dtype, shape, shapeKnown: known, data };
  }

  // Reads the inputs of one job, runs it, writes the outputs.
  async runJob({ model, in: inDir, out: outDir, signature }, repeat = 0) {
    const entry = await this.open(model, signature);
    const sig = entry.signatures[entry.signatureIndex];
    const files = this.inputFiles(inDir, sig);
    const buffers = [];
    try {
      sig.inputs.forEach((input, i) => {
        const file = files[i];
        const npy = parseNpy(fs.readFileSync(file), file);
        if (npy.dtype.litert !== input.litertType) {
          const want = DTYPES.find((d) => d.litert === input.litertType);
          throw new InputError(`${file}: dtype ${npy.dtype.name} but input '${input.name}' is ${want ? want.name : `type ${input.litertType}`}`);
        }
        const fitsModel = npy.shape.length === input.shape.length && npy.shape.every((d, k) => input.shape[k] < 0 || input.shape[k] === d);
        if (!fitsModel) throw new InputError(`${file}: shape [${npy.shape}] does not fit input '${input.name}' [${input.shape}]`);
        buffers.push(this.makeBuffer(input.litertType, npy.shape, npy.data));
      });
      const outputs = await this.checked('run', () => entry.compiled.run(entry.signatureIndex, buffers));
      const results = [];
      try {
        outputs.forEach((b, i) => results.push(this.readBuffer(b, sig.outputs[i].shape)));
      } finally {
        outputs.forEach((b) => b.delete());
      }
      let timing;
      if (repeat > 0) {
        // Wall time, and this process's CPU time: on a busy machine the two
        // differ a lot, and CPU time is the steadier figure.
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let r = 0; r < repeat; ++r) (await entry.compiled.run(entry.signatureIndex, buffers)).forEach((b) => b.delete());
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        timing = { mean_ms: wall / repeat, mean_cpu_ms: (cpu.user + cpu.system) / 1000 / repeat };
      }
      fs.mkdirSync(outDir, { recursive: true });
      const manifest = { signature: sig.key, inputs: sig.inputs.map((x) => x.name), outputs: [] };
      results.forEach((r, i) => {
        const file = `output_${i}.npy`;
        fs.writeFileSync(path.join(outDir, file), npyBytes(r.dtype, r.shape, r.data));
        manifest.outputs.push({ name: sig.outputs[i].name, file, dtype: r.dtype.name, shape: r.shape, shape_known: r.shapeKnown });
      });
      fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(manifest, null, 1));
      return timing;
    } finally {
      for (const b of buffers) {
        try { b.delete(); } catch { /* trapped module */ }
      }
    }
  }

  inputFiles(inDir, sig) {
    const files = sig.inputs.map((_, i) => path.join(inDir, `input_${i}.npy`));
    const namesFile = path.join(inDir, 'names.json');
    if (!fs.existsSync(namesFile)) return files;
    const names = JSON.parse(fs.readFileSync(namesFile, 'utf8'));
    const ours = sig.inputs.map((x) => x.name);
    const unique = (a) => new Set(a).size === a.length;
    if (names.length !== ours.length) {
      throw new InputError(`${namesFile}: ${names.length} names for ${ours.length} inputs`);
    }
    // Name matching only when both sides' names identify the inputs.
    if (!unique(names) || !unique(ours) || !ours.every((n) => names.includes(n))) return files;
    return ours.map((n) => path.join(inDir, `input_${names.indexOf(n)}.npy`));
  }
}

// --------------------------------------------------------------------- main

function parseArgs(argv) {
  const opt = { positional: [], repeat: 0 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--node-modules') opt.nodeModules = value();
    else if (a === '--signature') opt.signature = value();
    else if (a === '--repeat') opt.repeat = Number.parseInt(value(), 10);
    else if (a === '--jobs') opt.jobs = value();
    else if (a === '--describe') opt.describe = value();
    else if (a === '--help' || a === '-h') opt.help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else opt.positional.push(a);
  }
  if (!Number.isInteger(opt.repeat) || opt.repeat < 0) throw new UsageError('--repeat needs a non-negative integer');
  return opt;
}

function writeStatus(outDir, status) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'status.json'), JSON.stringify(status));
}

async function runJobs(litert, jobsFile) {
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  for (const job of jobs) {
    try {
      await litert.runJob(job);
      writeStatus(job.out, { ok: true });
    } catch (e) {
      if (e instanceof LiteRtError || e instanceof WebAssembly.RuntimeError) {
        writeStatus(job.out, { ok: false, stage: e.stage ?? 'run', error: firstLines(e) });
        if (!(litert.refused && litert.refused.error === e)) {
          const key = litert.lastKey;
          litert.release();
          await litert.reload();
          litert.refused = e.stage === 'load' || e.stage === 'compile' ? { key, error: e } : null;
        }
      } else if (e instanceof InputError) {
        writeStatus(job.out, { ok: false, stage: 'input', error: e.message });
      } else {
        writeStatus(job.out, { ok: false, stage: 'runner', error: firstLines(e) });
        litert.release();
        await litert.reload();
      }
    }
  }
}

async function main() {
  let opt;
  try {
    opt = parseArgs(process.argv.slice(2));
    if (opt.help) {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 40)
        .filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
      return 0;
    }
    const litert = new LiteRt(findWasmDir(opt.nodeModules));
    await litert.load();
    if (opt.jobs) {
      await runJobs(litert, opt.jobs);
      return 0;
    }
    if (opt.describe) {
      const entry = await litert.open(opt.describe, opt.signature);
      process.stdout.write(`${JSON.stringify(entry.signatures, null, 1)}\n`);
      return 0;
    }
    if (opt.positional.length !== 3) throw new UsageError('expected MODEL IN_DIR OUT_DIR (see --help)');
    const [model, inDir, outDir] = opt.positional;
    const timing = await litert.runJob({ model, in: inDir, out: outDir, signature: opt.signature }, opt.repeat);
    if (timing !== undefined) process.stdout.write(`${JSON.stringify({ model, runs: opt.repeat, ...timing })}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`litert_run: ${e.message}\n`);
      return 2;
    }
    if (e instanceof LiteRtError || e instanceof WebAssembly.RuntimeError) {
      process.stderr.write(`litert_run: LiteRT ${e.stage ?? 'run'} failed: ${firstLines(e)}\n`);
      return 3;
    }
    process.stderr.write(`litert_run: ${e instanceof InputError ? e.message : firstLines(e, 8)}\n`);
    return 1;
  }
}

process.exitCode = await main();
