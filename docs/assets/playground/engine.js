// The kernel playground's arithmetic: convolution, ReLU and pooling exactly as the
// Python package convdocs computes them (src/convdocs/conv.py, pool.py, cnn.py), with
// the same rules and the same error messages. Pure computation: no DOM.
//
// tests/test_playground.py runs evaluate() here and convdocs.playground.evaluate() in
// Python on the same random configurations and requires identical numbers and messages.
// Every sum is added in the library's order, so the results agree bit for bit.

export const PADDING_WORDS = ["valid", "same", "full"];
export const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];
export const POOL_OPS = ["max", "avg"];

// -- Python's repr, for messages that read exactly like the library's ------------------

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function reprStr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0);
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else if (code < 0x7f || (ch !== " " && !NOT_PRINTABLE.test(ch))) out += ch;
    else if (code <= 0xff) out += "\\x" + code.toString(16).padStart(2, "0");
    else if (code <= 0xffff) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += "\\U" + code.toString(16).padStart(8, "0");
  }
  return out + quote;
}

/** repr() of a Python float: shortest round-trip digits, Python's layout. */
export function reprFloat(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const [mant, exp] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const point = Number(exp) + 1;           // digits before the decimal point
  if (point <= -4 || point > 16) {
    const e = Number(exp);
    const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A configuration's number as Python reads it: a whole number up to 2**53 is an int.
 *  A BigInt is an int too: the page passes whole numbers typed beyond 2**53 as BigInts, so
 *  that they are refused as Python refuses those ints (every such value fails a limit or a
 *  lower bound before any arithmetic). */
function isInt(x) {
  return (typeof x === "number" && Number.isSafeInteger(x)) || typeof x === "bigint";
}

/** repr() of a value as convdocs.playground.evaluate passes it on: arrays are tuples. */
export function repr(value, lists = false) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "bigint") return String(value);
  if (typeof value === "number") return isInt(value) ? String(value) : reprFloat(value);
  if (typeof value === "string") return reprStr(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => repr(v, lists));
    if (lists) return `[${items.join(", ")}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  return String(value);
}

/** _validate._show: a repr cut to 60 characters. */
function show(value, lists = false) {
  const text = Array.from(repr(value, lists));
  return text.length <= 60 ? text.join("") : text.slice(0, 57).join("") + "...";
}

/** str() of a numpy float64 that is not finite, or of an int. */
function str(x) {
  return isInt(x) ? String(x) : reprFloat(x);
}

const tuple = (...items) => repr(items);

// -- refusals ---------------------------------------------------------------------------

/** A configuration the library refuses: `kind` is the Python exception's class name. */
export class Refusal extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "Refusal";
    this.kind = kind;
  }
}

const typeError = (message) => new Refusal("TypeError", message);
const valueError = (message) => new Refusal("ValueError", message);

// -- _validate.py -----------------------------------------------------------------------

/** A 2-D array of numbers as {h, w, data}; the library's checks for shape and finiteness. */
function realArray(value, name) {
  if (!Array.isArray(value)) throw new Error(`engine: ${name} must be a list of rows`);
  if (value.length === 0) throw valueError(`${name} must be 2-D or 3-D (got shape (0,))`);
  const h = value.length;
  const w = Array.isArray(value[0]) ? value[0].length : -1;
  if (!value.every((row) => Array.isArray(row) && row.length === w)) {
    throw new Error(`engine: ${name} must be a rectangular list of rows`);
  }
  if (w === 0) throw valueError(`${name} must not be empty (got shape ${tuple(h, 0)})`);
  const data = new Float64Array(h * w);
  for (let r = 0; r < h; r++) {
    const row = value[r];
    for (let c = 0; c < w; c++) {
      const x = row[c];
      if (typeof x !== "number") throw new Error(`engine: ${name} must hold numbers`);
      data[r * w + c] = x;
    }
  }
  checkFinite({h, w, data}, name);
  return {h, w, data};
}

function checkFinite(a, name) {
  const {h, w, data} = a;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw valueError(`${name} must be finite (got ${str(data[i])} at index ` +
                       `${tuple(Math.floor(i / w), i % w)})`);
    }
  }
  return h;
}

function positiveInt(value, name) {
  if (!isInt(value)) throw typeError(`${name} must be a positive integer (got ${show(value)})`);
  if (value < 1) throw valueError(`${name} must be a positive integer (got ${value})`);
  return value;
}

function nonnegativeInt(value, name) {
  if (!isInt(value)) {
    throw typeError(`${name} must be a non-negative integer (got ${show(value)})`);
  }
  if (value < 0) throw valueError(`${name} must be >= 0 (got ${value})`);
  return value;
}

function pair(value, name, check) {
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      throw valueError(`${name} must be an int or a (rows, cols) pair (got ${show(value)})`);
    }
    return [check(value[0], name), check(value[1], name)];
  }
  return [check(value, name), check(value, name)];
}

function choice(value, name, options) {
  if (typeof value !== "string" || !options.includes(value)) {
    const listed = options.map((o) => repr(o)).join(", ");
    throw valueError(`${name} must be one of ${listed} (got ${show(value)})`);
  }
  return value;
}

function flag(value, name) {
  if (typeof value !== "boolean") {
    throw typeError(`${name} must be True or False (got ${show(value)})`);
  }
  return value;
}

const get = (obj, key, fallback) => (Object.hasOwn(obj, key) ? obj[key] : fallback);

// -- arithmetic.py ----------------------------------------------------------------------

export const effectiveSize = (k, d) => k + (k - 1) * (d - 1);

/** Python's floor division for ints. */
const floorDiv = (a, b) => Math.floor(a / b);

/** arithmetic.output_size for pooling (validated arguments). */
export function poolOutputSize(n, k, stride, padding, ceilMode) {
  const span = n + 2 * padding - k;
  let out = ceilMode ? -floorDiv(-span, stride) + 1 : floorDiv(span, stride) + 1;
  if (ceilMode && (out - 1) * stride >= n + padding) out -= 1;
  return out;
}

/** arithmetic.resolve_padding: ((top, bottom), (left, right)). */
function resolvePadding(padding, kernelShape, dilation, stride) {
  if (typeof padding === "string") {
    const word = choice(padding, "padding", PADDING_WORDS);
    const totals = kernelShape.map((k, a) => dilation[a] * (k - 1));
    if (word === "valid") return [[0, 0], [0, 0]];
    if (word === "full") return [[totals[0], totals[0]], [totals[1], totals[1]]];
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw valueError(`padding='same' needs stride 1 (got stride=${tuple(...stride)})`);
    }
    return totals.map((t) => [floorDiv(t, 2), t - floorDiv(t, 2)]);
  }
  const [rows, cols] = pair(padding, "padding", nonnegativeInt);
  return [[rows, rows], [cols, cols]];
}

// -- conv.py ----------------------------------------------------------------------------

/** Where padded index i (0 = first padded cell) reads from, or -1 for a zero. */
function sourceIndex(i, before, n, mode) {
  const j = i - before;
  if (j >= 0 && j < n) return j;
  if (mode === "zeros") return -1;
  if (mode === "replicate") return j < 0 ? 0 : n - 1;
  if (mode === "circular") return ((j % n) + n) % n;
  return j < 0 ? -j : 2 * (n - 1) - j;   // reflect, the edge not repeated
}

/** conv.pad for one image: `pads` per side, `mode` in PyTorch's names. */
function pad(x, pads, mode, value = 0) {
  const [[t, b], [l, r]] = pads;
  if (!t && !b && !l && !r) return x;
  const h = x.h + t + b, w = x.w + l + r;
  const data = new Float64Array(h * w);
  const cols = Int32Array.from({length: w}, (_, j) => sourceIndex(j, l, x.w, mode));
  for (let i = 0; i < h; i++) {
    const src = sourceIndex(i, t, x.h, mode);
    for (let j = 0; j < w; j++) {
      data[i * w + j] = src < 0 || cols[j] < 0 ? value : x.data[src * x.w + cols[j]];
    }
  }
  return {h, w, data};
}

/** conv.plan_conv2d: validate in the library's order, pad, and size the output. */
export function planConv2d(image, kernel, {stride = 1, padding = 0, dilation = 1,
                                           paddingMode = "zeros"} = {}) {
  const x = realArray(image, "image");
  const k = realArray(kernel, "kernel");
  stride = pair(stride, "stride", positiveInt);
  dilation = pair(dilation, "dilation", positiveInt);
  const mode = choice(paddingMode, "padding_mode", PADDING_MODES);
  const pads = resolvePadding(padding, [k.h, k.w], dilation, stride);
  for (const [axis, name] of [[0, "rows"], [1, "cols"]]) {
    const n = axis === 0 ? x.h : x.w;
    const widest = Math.max(...pads[axis]);
    if (mode === "reflect" && widest >= n) {
      throw valueError(`padding_mode='reflect' needs padding < input size along ${name} ` +
                       `(got padding ${widest} for size ${n})`);
    }
    if (mode === "circular" && widest > n) {
      throw valueError(`padding_mode='circular' needs padding <= input size along ${name} ` +
                       `(got padding ${widest} for size ${n})`);
    }
  }
  const spans = [effectiveSize(k.h, dilation[0]), effectiveSize(k.w, dilation[1])];
  const paddedHW = [x.h + pads[0][0] + pads[0][1], x.w + pads[1][0] + pads[1][1]];
  if (spans[0] > paddedHW[0] || spans[1] > paddedHW[1]) {   // _validate.window_fits
    throw valueError(
      `kernel of shape ${tuple(k.h, k.w)} with dilation=${tuple(...dilation)} is larger ` +
      `than the padded input: it spans ${tuple(...spans)} but the padded input is ` +
      `${tuple(...paddedHW)} (image shape ${tuple(x.h, x.w)}, padding ${repr(pads)})`);
  }
  const padded = pad(x, pads, mode);
  const outH = floorDiv(padded.h - spans[0], stride[0]) + 1;
  const outW = floorDiv(padded.w - spans[1], stride[1]) + 1;
  return {x, k, pads, stride, dilation, mode, padded, spans, outH, outW};
}

/** conv.run_plan: one kernel tap at a time, in the library's summation order. */
export function runConv(plan) {
  const {k, padded, stride: [sh, sw], dilation: [dh, dw], outH, outW} = plan;
  const out = new Float64Array(outH * outW);
  const P = padded.data, W = padded.w;
  for (let i = 0; i < k.h; i++) {
    for (let j = 0; j < k.w; j++) {
      const weight = k.data[i * k.w + j];
      const first = i === 0 && j === 0;
      for (let r = 0; r < outH; r++) {
        const base = (r * sh + i * dh) * W + j * dw;
        const row = r * outW;
        if (first) for (let c = 0; c < outW; c++) out[row + c] = P[base + c * sw] * weight;
        else for (let c = 0; c < outW; c++) out[row + c] += P[base + c * sw] * weight;
      }
    }
  }
  return {h: outH, w: outW, data: out};
}

/** steps.conv2d_steps for one output cell: the window, its products and their sum. */
export function convWindow(plan, r, c) {
  const {x, k, padded, pads, stride, dilation} = plan;
  const top = r * stride[0], left = c * stride[1];
  const rows = [], cols = [], values = [], products = [], inside = [];
  for (let i = 0; i < k.h; i++) rows.push(top + i * dilation[0] - pads[0][0]);
  for (let j = 0; j < k.w; j++) cols.push(left + j * dilation[1] - pads[1][0]);
  let sum = 0;
  for (let i = 0; i < k.h; i++) {
    values.push([]); products.push([]); inside.push([]);
    for (let j = 0; j < k.w; j++) {
      const value = padded.data[(top + i * dilation[0]) * padded.w + left + j * dilation[1]];
      const product = value * k.data[i * k.w + j];
      sum = i === 0 && j === 0 ? product : sum + product;
      values[i].push(value);
      products[i].push(product);
      inside[i].push(rows[i] >= 0 && rows[i] < x.h && cols[j] >= 0 && cols[j] < x.w);
    }
  }
  return {rows, cols, inside, values, products, sum};
}

// -- cnn.relu ---------------------------------------------------------------------------

export function relu(a) {
  checkFinite(a, "x");
  return {h: a.h, w: a.w, data: a.data.map((v) => (v > 0 ? v : 0))};
}

// -- pool.py ----------------------------------------------------------------------------

function divisors(n, k, s, p, out, includePad) {
  const d = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let start = o * s - p;
    let end = Math.min(start + k, n + p);
    if (!includePad) {
      start = Math.max(start, 0);
      end = Math.min(end, n);
    }
    d[o] = end - start;
  }
  return d;
}

/** pool.plan_pool2d on a map already computed (validated in the library's order). */
export function planPool2d(a, {op = "max", size = 2, stride = null, padding = 0,
                               ceilMode = false, countIncludePad = true} = {}) {
  op = choice(op, "op", POOL_OPS);
  checkFinite(a, "image");
  const rawPadding = padding;
  size = pair(size, "size", positiveInt);
  stride = stride === null || stride === undefined ? size : pair(stride, "stride", positiveInt);
  const pads = pair(padding, "padding", nonnegativeInt);
  ceilMode = flag(ceilMode, "ceil_mode");
  countIncludePad = flag(countIncludePad, "count_include_pad");
  for (let axis = 0; axis < 2; axis++) {
    if (2 * pads[axis] > size[axis]) {
      throw valueError(`padding must be at most half the window (got padding=` +
                       `${repr(rawPadding)} for size=${tuple(...size)})`);
    }
  }
  const dims = [a.h, a.w];
  const paddedHW = dims.map((n, axis) => n + 2 * pads[axis]);
  if (size[0] > paddedHW[0] || size[1] > paddedHW[1]) {      // _validate.window_fits
    throw valueError(`size=${tuple(...size)} is larger than the padded input: it spans ` +
                     `${tuple(...size)} but the padded input is ${tuple(...paddedHW)} ` +
                     `(image shape ${tuple(a.h, a.w)}, padding ${tuple(...pads)})`);
  }
  const out = dims.map((n, ax) => poolOutputSize(n, size[ax], stride[ax], pads[ax], ceilMode));
  // ceil_mode can let the last window hang over the padded edge: pad that too.
  const widths = dims.map((n, ax) => [pads[ax],
    Math.max(pads[ax], (out[ax] - 1) * stride[ax] + size[ax] - n - pads[ax])]);
  const padded = pad(a, widths, "zeros", op === "max" ? -Infinity : 0);
  const divisor = op === "avg"
    ? dims.map((n, ax) => divisors(n, size[ax], stride[ax], pads[ax], out[ax], countIncludePad))
    : null;
  return {op, x: a, size, stride, pads, ceilMode, countIncludePad, padded, divisor,
          outH: out[0], outW: out[1]};
}

/** pool.run_plan: down each window column first, then across, as the library adds. */
export function runPool(plan) {
  const {op, padded, size: [kh, kw], stride: [sh, sw], outH, outW, divisor} = plan;
  const P = padded.data, W = padded.w;
  const out = new Float64Array(outH * outW);
  const column = new Float64Array(W);
  const max = op === "max";
  for (let r = 0; r < outH; r++) {
    const top = r * sh * W;
    for (let x = 0; x < W; x++) column[x] = P[top + x];
    for (let i = 1; i < kh; i++) {
      const base = top + i * W;
      if (max) for (let x = 0; x < W; x++) column[x] = Math.max(column[x], P[base + x]);
      else for (let x = 0; x < W; x++) column[x] += P[base + x];
    }
    for (let c = 0; c < outW; c++) {
      let acc = column[c * sw];
      for (let j = 1; j < kw; j++) {
        acc = max ? Math.max(acc, column[c * sw + j]) : acc + column[c * sw + j];
      }
      out[r * outW + c] = max ? acc : acc / (divisor[0][r] * divisor[1][c]);
    }
  }
  return {h: outH, w: outW, data: out};
}

/** steps.pool2d_steps for one output cell. */
export function poolWindow(plan, r, c) {
  const {x, padded, pads, stride, size: [kh, kw], op, divisor} = plan;
  const top = r * stride[0], left = c * stride[1];
  const rows = [], cols = [], values = [], inside = [];
  for (let i = 0; i < kh; i++) rows.push(top + i - pads[0]);
  for (let j = 0; j < kw; j++) cols.push(left + j - pads[1]);
  for (let i = 0; i < kh; i++) {
    values.push([]); inside.push([]);
    for (let j = 0; j < kw; j++) {
      values[i].push(padded.data[(top + i) * padded.w + left + j]);
      inside[i].push(rows[i] >= 0 && rows[i] < x.h && cols[j] >= 0 && cols[j] < x.w);
    }
  }
  const d = op === "avg" ? divisor[0][r] * divisor[1][c] : null;
  return {rows, cols, inside, values, divisor: d};
}

// -- convdocs.playground ----------------------------------------------------------------

/** The playground's own upper bounds, checked before the library's rules (LIMITS). */
export function checkLimits(config, limits) {
  const checks = [["stride", get(config, "stride"), "stride"],
                  ["dilation", get(config, "dilation"), "dilation"],
                  ["padding", get(config, "padding"), "padding"]];
  const pool = get(config, "pool", null);
  if (pool) {
    checks.push(["size", get(pool, "size"), "pool_size"],
                ["stride", get(pool, "stride"), "pool_stride"],
                ["padding", get(pool, "padding"), "pool_padding"]);
  }
  for (const [name, value, key] of checks) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isInt(item) && item > limits[key]) {
        throw valueError(`${name} must be at most ${limits[key]} in the playground ` +
                         `(got ${item})`);
      }
    }
  }
}

/** Run a configuration: conv2d, then ReLU and pooling when asked; stop at a refusal.
 *
 *  Returns the plans and maps ({h, w, data}) of the stages run, and `error`:
 *  null or {stage, type, message}. Other exceptions are bugs and propagate. */
export function run(config, limits) {
  const result = {convPlan: null, conv: null, relu: null, poolPlan: null, pool: null,
                  error: null};
  let stage = "limits";
  try {
    checkLimits(config, limits);
    stage = "conv";
    result.convPlan = planConv2d(get(config, "image"), get(config, "kernel"), {
      stride: get(config, "stride", 1), padding: get(config, "padding", 0),
      dilation: get(config, "dilation", 1), paddingMode: get(config, "padding_mode", "zeros"),
    });
    let out = result.conv = runConv(result.convPlan);
    if (get(config, "relu", false)) {
      stage = "relu";
      out = result.relu = relu(out);
    }
    const pool = get(config, "pool", null);
    if (pool && Object.keys(pool).length) {
      stage = "pool";
      result.poolPlan = planPool2d(out, {
        op: get(pool, "op", "max"), size: get(pool, "size", 2), stride: get(pool, "stride", null),
        padding: get(pool, "padding", 0), ceilMode: get(pool, "ceil_mode", false),
        countIncludePad: get(pool, "count_include_pad", true),
      });
      result.pool = runPool(result.poolPlan);
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    result.error = {stage, type: err.kind, message: err.message};
  }
  return result;
}

export function toRows(a) {
  if (!a) return null;
  const rows = [];
  for (let r = 0; r < a.h; r++) rows.push(Array.from(a.data.subarray(r * a.w, (r + 1) * a.w)));
  return rows;
}

/** The same answer as convdocs.playground.evaluate: nested lists and the refusal. */
export function evaluate(config, limits) {
  const r = run(config, limits);
  return {conv: toRows(r.conv), relu: toRows(r.relu), pool: toRows(r.pool), error: r.error};
}
