// The kernel playground page: reads the form, runs engine.js, draws the maps and the
// selected cell's arithmetic. All numbers come from engine.js; the sample images, the
// catalogue kernels, the limits and the colours come from presets.json, which the site's
// hook writes from the convdocs package (docs/hooks/playground.py).
import {convWindow, poolWindow, run} from "./engine.js";

const PRESETS_URL = new URL("presets.json", import.meta.url);
const MINUS = "\u2212";
const TIMES = "\u00d7";
const MAX_MAP_HEIGHT = 480;   // CSS px: a map never gets taller than this
const MAX_CELL = 40;          // CSS px per cell for tiny maps
const NUMBER_MIN_PX = 11;     // digits are never drawn smaller than this

// -- number formatting (convdocs.draw.number and panels.kernel_text) -------------------

/** A cell's number: integers plainly, others with up to 2 decimals, a real minus sign. */
export function number(value) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "\u221e" : MINUS + "\u221e";
  if (value === 0) return "0";
  let text;
  if (Number.isInteger(value)) {
    text = Math.abs(value) < 1e21 ? value.toFixed(0) : value.toExponential(2);
  } else {
    text = value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
    if (text === "0" || text === "-0") {
      text = value.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2");
    }
  }
  return text.replace(/-/g, MINUS);
}

/** A kernel weight as people write it: an integer, or a fraction such as 1/16 when exact. */
export function kernelText(value) {
  if (Number.isInteger(value)) return String(value);
  for (let d = 2; d <= 64; d++) {
    const n = Math.round(value * d);
    if (n / d === value) return `${n}/${d}`;
  }
  return String(value);
}

/** Parse a kernel cell: a decimal number, a fraction a/b, or nan/inf (the library refuses those). */
function parseWeight(text) {
  const t = text.trim();
  if (t === "") return {error: "is empty: type a number"};
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return {value: Number(t)};
  const frac = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(t);
  if (frac && Number(frac[2]) !== 0) return {value: Number(frac[1]) / Number(frac[2])};
  if (/^[+-]?nan$/i.test(t)) return {value: NaN};
  if (/^[+-]?inf(inity)?$/i.test(t)) return {value: t.startsWith("-") ? -Infinity : Infinity};
  return {error: `is not a number (got \u201c${t}\u201d)`};
}

/** One number typed in a whole-number field, as Python would read it: a whole number
 *  (a BigInt beyond 2**53, so that it stays the int typed), a decimal, nan or inf. */
function parseNumber(token) {
  if (/^[+-]?\d+$/.test(token)) {
    const n = Number(token);
    return Number.isSafeInteger(n) ? n : BigInt(token.replace(/^\+/, ""));
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token)) return Number(token);
  if (/^[+-]?nan$/i.test(token)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(token)) return token.startsWith("-") ? -Infinity : Infinity;
  return null;
}

/** Parse a whole-number field: one number, or several separated by commas, semicolons or
 *  spaces (brackets around them allowed). Every number goes to the engine as typed, whole
 *  or not, so that it answers with the library's own message for that value; text that is
 *  no number at all gets the page's own words, as a kernel cell does. */
function parseInts(text) {
  const t = text.trim();
  if (t === "") return {error: "is empty: type a whole number"};
  let inner = t.replace(/^[([]\s*(.*?)\s*[)\]]$/, "$1");
  const tuple = /\S\s*,$/.test(inner);          // "2," is Python's one-item tuple (2,)
  if (tuple) inner = inner.replace(/\s*,$/, "");
  const values = inner === "" ? [] : inner.split(/\s*[,;]\s*|\s+/).map(parseNumber);
  if (values.length === 0 || values.some((v) => v === null)) {
    return {error: `is not a whole number (got \u201c${t}\u201d)`};
  }
  return {value: values.length === 1 && !tuple ? values[0] : values};
}

// -- colours ----------------------------------------------------------------------------

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Black or white text, whichever reads better on the fill (style.readable_on). */
function readableOn([r, g, b]) {
  const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return lum > 0.45 ? "#000000" : "#ffffff";
}

/** matplotlib's colormap lookup: index floor(t * N), clipped to the ends. */
function lutIndex(t, n) {
  if (!(t >= 0)) return 0;
  return Math.min(n - 1, Math.floor(t * n));
}

function colourFor(value, kind, top, theme) {
  if (Number.isNaN(value)) return null;
  if (kind === "signed") return theme.signedRgb[lutIndex((value / top + 1) / 2, 256)];
  const g = Math.round(Math.min(1, Math.max(0, value / top)) * 255);
  return [g, g, g];
}

/** The scale's end: the largest finite magnitude, or 1 (draw.norm_for). */
function scaleTop(data) {
  let top = 0;
  for (const v of data) if (Number.isFinite(v) && Math.abs(v) > top) top = Math.abs(v);
  return top || 1;
}

// -- drawing ----------------------------------------------------------------------------

/**
 * Draw a map on a canvas, one square cell per value. Returns the cell size in CSS px.
 * `frame`: {r0, c0, h, w} of the real input inside padding (the rest is drawn dimmed).
 */
function drawMap(canvas, map, {kind, top, theme, maxWidth, frame = null, role, marks = []}) {
  const {h, w, data} = map;
  const cell = Math.max(1, Math.min(MAX_CELL, Math.floor(maxWidth / w),
                                    Math.floor(MAX_MAP_HEIGHT / h)));
  const border = 2;
  const cssW = w * cell + 2 * border, cssH = h * cell + 2 * border;
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);

  // Pixels: one per value, scaled up without smoothing.
  const px = new ImageData(w, h);
  const bg = hexToRgb(theme.background);
  for (let i = 0; i < data.length; i++) {
    const rgb = colourFor(data[i], kind, top, theme) || bg;
    let [r, g, b] = rgb;
    const row = Math.floor(i / w), col = i % w;
    const outside = frame && (row < frame.r0 || row >= frame.r0 + frame.h ||
                              col < frame.c0 || col >= frame.c0 + frame.w);
    if (outside) {  // padding: the value it holds, washed towards the background
      r = (r + bg[0]) / 2; g = (g + bg[1]) / 2; b = (b + bg[2]) / 2;
    }
    px.data.set([r, g, b, 255], 4 * i);
  }
  const small = document.createElement("canvas");
  small.width = w;
  small.height = h;
  small.getContext("2d").putImageData(px, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, border, border, w * cell, h * cell);

  const x0 = border, y0 = border;
  if (cell >= 8) {  // grid lines
    ctx.strokeStyle = theme.cell_line;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let r = 0; r <= h; r++) { ctx.moveTo(x0, y0 + r * cell + 0.5); ctx.lineTo(x0 + w * cell, y0 + r * cell + 0.5); }
    for (let c = 0; c <= w; c++) { ctx.moveTo(x0 + c * cell + 0.5, y0); ctx.lineTo(x0 + c * cell + 0.5, y0 + h * cell); }
    ctx.stroke();
  }
  if (frame && cell >= 16) {  // dashed outlines on padded cells, as the figures draw them
    ctx.save();
    ctx.setLineDash([3, 2]);
    ctx.strokeStyle = theme.muted;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (r >= frame.r0 && r < frame.r0 + frame.h && c >= frame.c0 && c < frame.c0 + frame.w) continue;
        ctx.strokeRect(x0 + c * cell + 3.5, y0 + r * cell + 3.5, cell - 7, cell - 7);
      }
    }
    ctx.restore();
  }
  drawNumbers(ctx, map, cell, x0, y0, kind, top, theme, frame);
  // The role's frame around the real cells.
  ctx.strokeStyle = theme[role];
  ctx.lineWidth = 2;
  const f = frame || {r0: 0, c0: 0, h, w};
  ctx.strokeRect(x0 + f.c0 * cell - 1, y0 + f.r0 * cell - 1, f.w * cell + 2, f.h * cell + 2);
  for (const mark of marks) drawMark(ctx, mark, cell, x0, y0, theme);
  return cell;
}

function drawNumbers(ctx, map, cell, x0, y0, kind, top, theme, frame) {
  const {h, w, data} = map;
  if (cell < 22) return;
  const size = Math.max(NUMBER_MIN_PX, Math.min(14, Math.floor(cell * 0.36)));
  ctx.font = `${size}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  const texts = Array.from(data, number);
  if (texts.some((t) => ctx.measureText(t).width > cell - 4)) return;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  const bg = hexToRgb(theme.background);
  for (let i = 0; i < data.length; i++) {
    const r = Math.floor(i / w), c = i % w;
    const outside = frame && (r < frame.r0 || r >= frame.r0 + frame.h ||
                              c < frame.c0 || c >= frame.c0 + frame.w);
    const rgb = colourFor(data[i], kind, top, theme) || bg;
    const fill = outside ? rgb.map((v, j) => (v + bg[j]) / 2) : rgb;
    ctx.fillStyle = readableOn(fill);
    ctx.fillText(texts[i], x0 + c * cell + cell / 2, y0 + r * cell + cell / 2 + 0.5);
  }
}

/** A window or a selected cell: every tap outlined, or one frame when cells are tiny. */
function drawMark(ctx, mark, cell, x0, y0, theme) {
  ctx.save();
  ctx.strokeStyle = theme.window;
  const {rows, cols} = mark;
  const thick = cell >= 8 ? 3 : 2;
  ctx.lineWidth = thick;
  const spread = rows.length > 1 && rows[1] - rows[0] > 1 || cols.length > 1 && cols[1] - cols[0] > 1;
  if (cell >= 6 && (spread || rows.length * cols.length === 1)) {
    for (const r of rows) {
      for (const c of cols) {
        ctx.strokeRect(x0 + c * cell + thick / 2, y0 + r * cell + thick / 2, cell - thick, cell - thick);
      }
    }
  }
  const r0 = rows[0], c0 = cols[0];
  const hh = rows[rows.length - 1] - r0 + 1, ww = cols[cols.length - 1] - c0 + 1;
  if (!(cell >= 6 && rows.length * cols.length === 1)) {
    ctx.strokeRect(x0 + c0 * cell - thick / 2, y0 + r0 * cell - thick / 2,
                   ww * cell + thick, hh * cell + thick);
  }
  ctx.restore();
}

/** The colour key under a map: the colour ramp and its ends (and zero, when signed). */
function drawKey(el, kind, top, theme) {
  el.replaceChildren();
  const bar = document.createElement("canvas");
  bar.width = 256;
  bar.height = 1;
  bar.className = "pg-key__bar";
  bar.setAttribute("aria-hidden", "true");
  const ctx = bar.getContext("2d");
  const img = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    const v = kind === "signed" ? (i / 255) * 2 * top - top : (i / 255) * top;
    img.data.set([...colourFor(v, kind, top, theme), 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  const labels = document.createElement("div");
  labels.className = "pg-key__labels";
  const ends = kind === "signed" ? [-top, 0, top] : [0, top];
  for (const v of ends) {
    const span = document.createElement("span");
    span.textContent = number(Math.abs(v) >= 10 ? Math.round(v) : v);
    labels.append(span);
  }
  el.append(bar, labels);
  el.setAttribute("aria-label", kind === "signed"
    ? `Colour key: ${number(-top)} violet, 0 mid-grey, ${number(top)} pale yellow`
    : `Colour key: 0 black to ${number(top)} white`);
  el.setAttribute("role", "img");
}

// -- the page ---------------------------------------------------------------------------

function option(value, label, selected = false) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  o.selected = selected;
  return o;
}

function rowsOf(values) {
  return {h: values.length, w: values[0].length, data: Float64Array.from(values.flat())};
}

/** Mount the playground on `root` (a [data-playground] element). */
export async function mount(root) {
  const $ = (id) => root.querySelector(`#${id}`);
  const els = Object.fromEntries([
    "image", "file", "image-note", "preset", "krows", "kcols", "kgrid", "meaning", "stride",
    "padding", "padding-n", "padding-n-label", "mode", "dilation", "relu", "pool", "psize",
    "pstride", "ppad", "ceil", "cip", "message", "input-caption", "input-canvas", "input-key",
    "output-caption", "output-focus", "output-canvas", "output-key", "output-size",
    "pool-figure", "pool-caption", "pool-focus", "pool-canvas", "pool-key", "pool-size",
    "summary", "tables", "sum", "announce",
  ].map((id) => [id, $(`pg-${id}`)]));
  const message = els.message;
  message.textContent = "Loading the sample images and kernels\u2026";

  const response = await fetch(PRESETS_URL);
  if (!response.ok) throw new Error(`presets.json: HTTP ${response.status}`);
  const presets = await response.json();
  const limits = presets.limits;
  for (const t of Object.values(presets.themes)) t.signedRgb = t.signed.map(hexToRgb);

  const state = {
    images: presets.images.map((i) => ({...i})),
    kernel: [],                 // rows of cell texts
    selected: {map: "conv", r: 0, c: 0},
    result: null,
    config: null,
    lastMs: 0,
  };

  // Controls (emptied first: the root may be a copy of an earlier, mounted page).
  for (const id of ["image", "preset", "krows", "kcols", "mode"]) els[id].replaceChildren();
  for (const img of state.images) els.image.append(option(img.name, img.label, img.name === "grid"));
  els.preset.append(option("custom", "Your own numbers"));
  for (const k of presets.kernels) {
    els.preset.append(option(k.name, k.label, k.name === "vertical_edges"));
  }
  for (let n = 1; n <= limits.max_kernel; n++) {
    els.krows.append(option(n, String(n), n === 3));
    els.kcols.append(option(n, String(n), n === 3));
  }
  for (const m of presets.padding_modes) els.mode.append(option(m, m, m === "zeros"));
  els["image-note"].dataset.default = els["image-note"].textContent;

  function setKernel(values) {
    state.kernel = values.map((row) => row.map(kernelText));
    els.krows.value = String(values.length);
    els.kcols.value = String(values[0].length);
    buildKernelGrid();
  }

  function buildKernelGrid() {
    const rows = state.kernel.length, cols = state.kernel[0].length;
    els.kgrid.style.setProperty("--pg-kcols", cols);
    const inputs = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const input = document.createElement("input");
        input.type = "text";
        input.inputMode = "decimal";
        input.className = "pg-kcell";
        input.value = state.kernel[r][c];
        input.dataset.r = r;
        input.dataset.c = c;
        input.setAttribute("aria-label", `Weight, row ${r + 1}, column ${c + 1}`);
        input.spellcheck = false;
        inputs.push(input);
      }
    }
    els.kgrid.replaceChildren(...inputs);
  }

  function resizeKernel() {
    const rows = Number(els.krows.value), cols = Number(els.kcols.value);
    state.kernel = Array.from({length: rows}, (_, r) =>
      Array.from({length: cols}, (_, c) => state.kernel[r]?.[c] ?? "0"));
    els.preset.value = "custom";
    buildKernelGrid();
  }

  function showMeaning() {
    const k = presets.kernels.find((x) => x.name === els.preset.value);
    els.meaning.textContent = k ? k.meaning : "Type any numbers: decimals, fractions such as 1/9, negatives.";
  }

  /** The form as a configuration for engine.run, or {uiError} for a cell that is not a number. */
  function readConfig() {
    const image = state.images.find((i) => i.name === els.image.value) || state.images[0];
    const kernel = [];
    for (let r = 0; r < state.kernel.length; r++) {
      kernel.push([]);
      for (let c = 0; c < state.kernel[r].length; c++) {
        const parsed = parseWeight(state.kernel[r][c]);
        if (parsed.error) {
          return {uiError: `Kernel row ${r + 1}, column ${c + 1} ${parsed.error}.`, cell: [r, c],
                  image};
        }
        kernel[r].push(parsed.value);
      }
    }
    // A whole-number field; text that is no number stops here, in the page's own words.
    let bad = null;
    const whole = (id, name) => {
      const parsed = parseInts(els[id].value);
      if (parsed.error && !bad) bad = {uiError: `${name} ${parsed.error}.`, field: id, image};
      return parsed.value;
    };
    const paddingWord = els.padding.value;
    const config = {
      image: image.values,
      kernel,
      stride: whole("stride", "Stride"),
      padding: paddingWord === "number" ? whole("padding-n", "Padding (cells per side)")
                                        : paddingWord,
      padding_mode: els.mode.value,
      dilation: whole("dilation", "Dilation"),
      relu: els.relu.checked,
      pool: null,
    };
    if (els.pool.value !== "none") {
      config.pool = {
        op: els.pool.value,
        size: whole("psize", "Pooling size"),
        stride: els.pstride.value.trim() === "" ? null : whole("pstride", "Pooling stride"),
        padding: whole("ppad", "Pooling padding"),
        ceil_mode: els.ceil.checked,
        count_include_pad: els.cip.checked,
      };
    }
    return bad || {config, image};
  }

  /** Mark a field as invalid and point it at the message that says why (or undo that). */
  function markInvalid(el, invalid) {
    if (!el) return;
    if (!("describedby" in el.dataset)) el.dataset.describedby = el.getAttribute("aria-describedby") || "";
    const own = el.dataset.describedby;
    if (invalid) {
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", own ? `${own} pg-message` : "pg-message");
    } else {
      el.removeAttribute("aria-invalid");
      if (own) el.setAttribute("aria-describedby", own);
      else el.removeAttribute("aria-describedby");
    }
  }

  const STAGE = {
    limits: "Outside the playground's range",
    conv: "convdocs.conv2d refuses this",
    relu: "convdocs.relu refuses this",
    pool: "The pooling refuses this",   // op not max or avg: no form sends that
  };

  function showMessage(lead, text, {library = false} = {}) {
    message.replaceChildren();
    if (!text) return;
    message.classList.add("pg-message--error");
    const strong = document.createElement("strong");
    strong.textContent = `${lead}: `;
    const body = document.createElement("span");
    body.textContent = text;
    if (library) body.dataset.libraryMessage = "";
    message.append(strong, body);
  }

  function clearMessage() {
    message.classList.remove("pg-message--error");
    message.replaceChildren();
  }

  function theme() {
    return presets.themes[document.body.dataset.mdColorScheme === "slate" ? "dark" : "light"];
  }

  function mapWidth() {
    const maps = root.querySelector(".pg-maps");
    const full = maps.clientWidth || root.clientWidth || 320;
    return full >= 600 ? Math.floor((full - 24) / 2) - 8 : full - 8;
  }

  // -- update: read, compute, draw ------------------------------------------------------

  function update() {
    const t0 = performance.now();
    for (const el of root.querySelectorAll("[aria-invalid]")) markInvalid(el, false);
    const read = readConfig();
    if (read.uiError) {
      markInvalid(read.cell
        ? els.kgrid.querySelector(`[data-r="${read.cell[0]}"][data-c="${read.cell[1]}"]`)
        : els[read.field], true);
      showMessage(read.cell ? "Not a kernel yet" : "Not a number yet", read.uiError);
      state.result = null;
      state.image = read.image;
      root.dataset.state = "invalid";
      draw();
      return finish(t0);
    }
    state.config = read.config;
    state.image = read.image;
    state.result = run(read.config, limits);
    const error = state.result.error;
    if (error) {
      const lead = error.stage === "pool"
        ? `convdocs.${read.config.pool.op === "avg" ? "avg" : "max"}_pool2d refuses this`
        : STAGE[error.stage];
      showMessage(lead, error.message, {library: error.stage !== "limits"});
    }
    else clearMessage();
    root.dataset.state = error ? `refused-${error.stage}` : "ok";
    if (!state.picked && state.result.conv) {  // start where the filter responds most
      const data = (state.result.relu || state.result.conv).data;
      let best = 0;
      for (let i = 1; i < data.length; i++) if (Math.abs(data[i]) > Math.abs(data[best])) best = i;
      Object.assign(state.selected, {map: "conv", r: Math.floor(best / state.result.conv.w),
                                     c: best % state.result.conv.w});
      state.picked = true;
    }
    clampSelection();
    draw();
    return finish(t0);
  }

  function finish(t0) {
    state.lastMs = performance.now() - t0;
    root.dispatchEvent(new CustomEvent("pg-updated", {detail: {ms: state.lastMs}}));
  }

  function finalMap() {
    const res = state.result;
    return res && (res.relu || res.conv);
  }

  function clampSelection() {
    const res = state.result;
    const sel = state.selected;
    if (sel.map === "pool" && !(res && res.pool)) sel.map = "conv";
    const map = sel.map === "pool" ? res.pool : finalMap();
    if (!map) return;
    sel.r = Math.min(Math.max(sel.r, 0), map.h - 1);
    sel.c = Math.min(Math.max(sel.c, 0), map.w - 1);
  }

  function draw() {
    const t = theme();
    root.style.setProperty("--pg-input", t.input);
    root.style.setProperty("--pg-kernel", t.kernel);
    root.style.setProperty("--pg-output", t.output);
    root.style.setProperty("--pg-window", t.window);
    const width = mapWidth();
    const res = state.result;
    const plan = res && res.convPlan;
    const sel = state.selected;

    // Input, padded when the convolution was planned.
    const image = state.image || state.images.find((i) => i.name === els.image.value);
    const raw = rowsOf(image.values);
    const inputTop = scaleTop(raw.data);
    const inputMarks = [];
    let convWin = null, poolWin = null;
    if (plan && res.conv && sel.map === "conv") {
      convWin = convWindow(plan, sel.r, sel.c);
      inputMarks.push({rows: convWin.rows.map((r) => r + plan.pads[0][0]),
                       cols: convWin.cols.map((c) => c + plan.pads[1][0])});
    }
    if (plan) {
      const [[t0], [l0]] = plan.pads;
      drawMap(els["input-canvas"], plan.padded, {kind: "gray", top: inputTop, theme: t,
        maxWidth: width, frame: {r0: t0, c0: l0, h: raw.h, w: raw.w}, role: "input",
        marks: inputMarks});
      const [[pt, pb], [pl, pr]] = plan.pads;
      els["input-caption"].textContent = `Input, ${raw.h} ${TIMES} ${raw.w}` +
        (pt || pb || pl || pr ? `, padded to ${plan.padded.h} ${TIMES} ${plan.padded.w} ` +
          `(${plan.mode})` : "");
    } else {
      drawMap(els["input-canvas"], raw, {kind: "gray", top: inputTop, theme: t, maxWidth: width,
                                         role: "input"});
      els["input-caption"].textContent = `Input, ${raw.h} ${TIMES} ${raw.w}`;
    }
    drawKey(els["input-key"], "gray", inputTop, t);

    // Output of the convolution (after ReLU when it is on).
    const out = finalMap();
    els["output-focus"].hidden = !out;
    els["output-key"].hidden = !out;
    if (out) {
      const top = scaleTop(out.data);
      const marks = [];
      if (sel.map === "conv") marks.push({rows: [sel.r], cols: [sel.c]});
      if (sel.map === "pool" && res.poolPlan) {
        poolWin = poolWindow(res.poolPlan, sel.r, sel.c);
        const inside = (v, n) => v >= 0 && v < n;
        const rows = poolWin.rows.filter((r) => inside(r, out.h));
        const cols = poolWin.cols.filter((c) => inside(c, out.w));
        if (rows.length && cols.length) marks.push({rows, cols});
      }
      drawMap(els["output-canvas"], out, {kind: "signed", top, theme: t, maxWidth: width,
                                          role: "output", marks});
      drawKey(els["output-key"], "signed", top, t);
      els["output-caption"].textContent =
        `${res.relu ? "Output after ReLU" : "Output"}, ${out.h} ${TIMES} ${out.w}`;
      els["output-focus"].setAttribute("aria-label",
        `${res.relu ? "Output after ReLU" : "Output"}, ${out.h} by ${out.w} cells. ` +
        "Arrow keys choose a cell.");
      els["output-size"].replaceChildren(...convSizeText(plan));
    } else {
      els["output-caption"].textContent = "Output: none";
      els["output-size"].textContent = "";
    }

    // Pooled map.
    const pooled = res && res.pool;
    els["pool-figure"].hidden = !(res && res.poolPlan) && !(state.config && state.config.pool);
    els["pool-focus"].hidden = !pooled;
    els["pool-key"].hidden = !pooled;
    if (pooled) {
      const top = scaleTop(pooled.data);
      const marks = sel.map === "pool" ? [{rows: [sel.r], cols: [sel.c]}] : [];
      drawMap(els["pool-canvas"], pooled, {kind: "signed", top, theme: t, maxWidth: width,
                                           role: "output", marks});
      drawKey(els["pool-key"], "signed", top, t);
      const name = res.poolPlan.op === "max" ? "Max pooled" : "Average pooled";
      els["pool-caption"].textContent = `${name}, ${pooled.h} ${TIMES} ${pooled.w}`;
      els["pool-focus"].setAttribute("aria-label",
        `${name} map, ${pooled.h} by ${pooled.w} cells. Arrow keys choose a cell.`);
      els["pool-size"].replaceChildren(...poolSizeText(res.poolPlan));
    } else {
      els["pool-caption"].textContent = "Pooled: none";
      els["pool-size"].textContent = "";
    }
    inspect(convWin, poolWin);
  }

  // -- the output-size rule, with the numbers ------------------------------------------

  function convSizeText(plan) {
    const lines = [];
    const axes = [["rows", plan.x.h, plan.k.h, plan.pads[0], plan.dilation[0], plan.stride[0], plan.outH, plan.padded.h],
                  ["columns", plan.x.w, plan.k.w, plan.pads[1], plan.dilation[1], plan.stride[1], plan.outW, plan.padded.w]];
    const head = document.createElement("span");
    head.className = "pg-formula__rule";
    head.textContent = "o = \u230a(n + 2p \u2212 k \u2212 (k \u2212 1)(d \u2212 1)) / s\u230b + 1";
    lines.push(head);
    for (const [name, n, k, [p1, p2], d, s, o, padded] of axes) {
      const pads = p1 === p2 ? `2\u00b7${p1}` : `${p1} + ${p2}`;
      const span = padded - (k + (k - 1) * (d - 1));
      const line = document.createElement("span");
      let text = `${name}: \u230a(${n} + ${pads} \u2212 ${k} \u2212 (${k} \u2212 1)(${d} \u2212 1)) / ${s}\u230b + 1` +
        ` = \u230a${span} / ${s}\u230b + 1 = ${o}`;
      const left = span % s;
      const unit = name === "rows" ? "row" : "column";
      if (left === 1) text += ` (the last ${unit} of the padded input is never read)`;
      if (left > 1) text += ` (the last ${left} ${unit}s of the padded input are never read)`;
      line.textContent = text;
      lines.push(line);
    }
    return lines;
  }

  function poolSizeText(plan) {
    const lines = [];
    const head = document.createElement("span");
    head.className = "pg-formula__rule";
    head.textContent = plan.ceilMode
      ? "o = \u2308(n + 2p \u2212 k) / s\u2309 + 1, minus 1 if the last window would start in the padding"
      : "o = \u230a(n + 2p \u2212 k) / s\u230b + 1";
    lines.push(head);
    const dims = [["rows", plan.x.h, plan.outH], ["columns", plan.x.w, plan.outW]];
    dims.forEach(([name, n, o], ax) => {
      const k = plan.size[ax], s = plan.stride[ax], p = plan.pads[ax];
      const span = n + 2 * p - k;
      const rounded = plan.ceilMode ? Math.ceil(span / s) : Math.floor(span / s);
      const [l, r] = plan.ceilMode ? ["\u2308", "\u2309"] : ["\u230a", "\u230b"];
      let text = `${name}: ${l}(${n} + 2\u00b7${p} \u2212 ${k}) / ${s}${r} + 1 = ${rounded + 1}`;
      if (rounded + 1 !== o) text += ` \u2212 1 = ${o}`;
      const line = document.createElement("span");
      line.textContent = text;
      lines.push(line);
    });
    return lines;
  }

  // -- the selected cell ---------------------------------------------------------------

  function table(caption, values, {format = number, inside = null, role}) {
    const t = document.createElement("table");
    t.className = `pg-table pg-table--${role}`;
    const cap = document.createElement("caption");
    cap.textContent = caption;
    t.append(cap);
    const body = document.createElement("tbody");
    values.forEach((row, r) => {
      const tr = document.createElement("tr");
      row.forEach((v, c) => {
        const td = document.createElement("td");
        td.textContent = format(v);
        if (inside && !inside[r][c]) td.className = "pg-pad";
        tr.append(td);
      });
      body.append(tr);
    });
    t.append(body);
    return t;
  }

  const join = (values) => values.flat().map((v) => {
    const t = number(v);
    return t.startsWith(MINUS) ? `(${t})` : t;
  }).join(" + ");

  function inspect(convWin, poolWin) {
    const res = state.result;
    const sel = state.selected;
    if (convWin) {
      const plan = res.convPlan;
      const count = plan.k.h * plan.k.w;
      const value = res.conv.data[sel.r * res.conv.w + sel.c];
      const padded = convWin.inside.flat().filter((x) => !x).length;
      els.tables.replaceChildren(
        table(`Window on the input${padded ? ` (${padded} padded)` : ""}`, convWin.values,
              {inside: convWin.inside, role: "input"}),
        table("Kernel", plan.k.h ? Array.from({length: plan.k.h}, (_, r) =>
          Array.from(plan.k.data.subarray(r * plan.k.w, (r + 1) * plan.k.w))) : [],
              {format: (v) => kernelText(v).replace("-", MINUS), role: "kernel"}),
        table("Products", convWin.products, {role: "output"}));
      let text = `sum of the ${count} product${count > 1 ? "s" : ""}: ` +
        (count > 1 ? `${join(convWin.products)} = ${number(convWin.sum)}` : number(convWin.sum));
      if (res.relu) text += `; after ReLU: ${number(Math.max(0, value))}`;
      els.sum.textContent = text;
      els.summary.textContent = `Output cell (${sel.r}, ${sel.c}) = ${number(res.relu ? res.relu.data[sel.r * res.relu.w + sel.c] : value)}`;
      els.sum.dataset.sum = String(convWin.sum);
    } else if (poolWin) {
      const plan = res.poolPlan;
      const value = res.pool.data[sel.r * res.pool.w + sel.c];
      els.tables.replaceChildren(table(`Window on the ${res.relu ? "ReLU output" : "output"}`,
        poolWin.values, {inside: poolWin.inside, role: "output"}));
      const real = poolWin.values.flat().filter((v, i) => poolWin.inside.flat()[i]);
      els.sum.textContent = plan.op === "max"
        ? `largest of the ${real.length} value${real.length > 1 ? "s" : ""}: ${number(value)}`
        : `(${join(poolWin.values)}) / ${poolWin.divisor} = ${number(value)}` +
          (poolWin.divisor !== plan.size[0] * plan.size[1]
            ? ` (${plan.countIncludePad ? "padding counts" : "only real cells count"}` +
              `${poolWin.divisor < plan.size[0] * plan.size[1] ? "; the window hangs over the edge" : ""})`
            : "");
      els.sum.dataset.sum = String(value);
      els.summary.textContent = `Pooled cell (${sel.r}, ${sel.c}) = ${number(value)}`;
    } else {
      els.tables.replaceChildren();
      els.sum.textContent = "";
      delete els.sum.dataset.sum;
      els.summary.textContent = "No output to inspect.";
    }
  }

  // -- selection by pointer and keyboard -----------------------------------------------

  function cellAt(canvas, map, event) {
    const rect = canvas.getBoundingClientRect();
    const cell = (rect.width - 4) / map.w;
    const c = Math.floor((event.clientX - rect.left - 2) / cell);
    const r = Math.floor((event.clientY - rect.top - 2) / cell);
    return r >= 0 && r < map.h && c >= 0 && c < map.w ? [r, c] : null;
  }

  function select(mapName, r, c) {
    const s = state.selected;
    if (s.map === mapName && s.r === r && s.c === c) return;
    Object.assign(s, {map: mapName, r, c});
    clampSelection();
    draw();
  }

  function pointer(mapName, canvasId, mapOf) {
    const canvas = els[canvasId];
    const handler = (event) => {
      const map = mapOf();
      if (!map) return;
      if (event.type === "pointermove" && event.pointerType !== "mouse") return;
      const hit = cellAt(canvas, map, event);
      if (hit) select(mapName, ...hit);
    };
    canvas.addEventListener("pointermove", handler);
    canvas.addEventListener("pointerdown", handler);
  }
  pointer("conv", "output-canvas", finalMap);
  pointer("pool", "pool-canvas", () => state.result && state.result.pool);

  function keys(mapName, focusId, mapOf) {
    const el = els[focusId];
    el.addEventListener("focus", () => {
      if (state.selected.map !== mapName) select(mapName, 0, 0);
      // Say which cell is selected now, not only after the first arrow key.
      if (mapOf()) els.announce.textContent = `${els.summary.textContent}. ${els.sum.textContent}`;
    });
    el.addEventListener("keydown", (event) => {
      const map = mapOf();
      if (!map) return;
      let {r, c} = state.selected.map === mapName ? state.selected : {r: 0, c: 0};
      const moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
      if (moves[event.key]) {
        r += moves[event.key][0];
        c += moves[event.key][1];
      } else if (event.key === "Home") {
        c = 0;
      } else if (event.key === "End") {
        c = map.w - 1;
      } else if (event.key === "PageUp") {
        r = 0;
      } else if (event.key === "PageDown") {
        r = map.h - 1;
      } else {
        return;
      }
      event.preventDefault();
      select(mapName, Math.min(Math.max(r, 0), map.h - 1), Math.min(Math.max(c, 0), map.w - 1));
      // Read out only what the keyboard chose: pointing would flood a screen reader.
      els.announce.textContent = `${els.summary.textContent}. ${els.sum.textContent}`;
    });
  }
  keys("conv", "output-focus", finalMap);
  keys("pool", "pool-focus", () => state.result && state.result.pool);

  // -- form events ---------------------------------------------------------------------

  els.kgrid.addEventListener("input", (event) => {
    const cell = event.target;
    state.kernel[cell.dataset.r][cell.dataset.c] = cell.value;
    if (els.preset.value !== "custom") {
      els.preset.value = "custom";
      showMeaning();
    }
    update();
  });
  els.preset.addEventListener("change", () => {
    const k = presets.kernels.find((x) => x.name === els.preset.value);
    if (k) setKernel(k.values);
    showMeaning();
    update();
  });
  for (const id of ["krows", "kcols"]) {
    els[id].addEventListener("change", () => { resizeKernel(); showMeaning(); update(); });
  }
  els.padding.addEventListener("change", () => {
    const number = els.padding.value === "number";
    els["padding-n-label"].hidden = !number;
    update();
  });
  els.pool.addEventListener("change", update);
  els.image.addEventListener("change", () => {
    els["image-note"].textContent = els["image-note"].dataset.own && els.image.value === "own"
      ? els["image-note"].dataset.own : els["image-note"].dataset.default;
    update();
  });
  for (const id of ["stride", "padding-n", "mode", "dilation", "relu", "psize", "pstride",
                    "ppad", "ceil", "cip"]) {
    els[id].addEventListener(els[id].tagName === "SELECT" || els[id].type === "checkbox"
      ? "change" : "input", update);
  }
  els.file.addEventListener("change", () => {
    const file = els.file.files && els.file.files[0];
    // Empty the input, so that choosing the same file again fires "change" again.
    els.file.value = "";
    if (file) loadOwnImage(file);
  });

  // -- your own image ------------------------------------------------------------------

  let uploads = 0;   // the file chosen last wins, however long each takes to decode

  async function loadOwnImage(file) {
    const ticket = ++uploads;
    const note = els["image-note"];
    note.textContent = `Reading ${file.name}\u2026`;
    root.dataset.ownImage = "reading";
    let grey;
    try {
      grey = await greyLevels(file, limits.max_side);
    } catch (err) {
      if (ticket !== uploads) return;
      // Nothing changes but the note: the image shown stays selected, and the note says so.
      const shown = els.image.options[els.image.selectedIndex];
      note.textContent = `${file.name} could not be read as an image by this browser ` +
        `(${err.message}), so it was not used: the page still shows ` +
        `${shown ? shown.textContent : "the image before it"}. ` +
        (file.type.startsWith("image/")
          ? "Try a smaller copy of it, or another file." : "Try a PNG or a JPEG.");
      root.dataset.ownImage = "failed";
      return;
    }
    if (ticket !== uploads) return;   // another file was chosen meanwhile
    const {values, width, height, scaledFrom, transparent} = grey;
    const label = `Your image (${height} ${TIMES} ${width})`;
    state.images = state.images.filter((i) => i.name !== "own");
    state.images.push({name: "own", label, values});
    for (const o of [...els.image.options]) if (o.value === "own") o.remove();
    els.image.append(option("own", label, true));
    els.image.value = "own";
    note.textContent = (scaledFrom
      ? `${file.name}: ${scaledFrom[1]} ${TIMES} ${scaledFrom[0]} pixels (rows ${TIMES} ` +
        "columns), scaled down in this " +
        `browser to ${height} ${TIMES} ${width} (the playground's limit is ${limits.max_side} ` +
        "pixels on a side)"
      : `${file.name}: ${height} ${TIMES} ${width} pixels, not scaled`) +
      (transparent
        ? ". It has transparency: laid over white, as load_image(\u2026, alpha='white') does"
        : "") +
      ". Grey levels 0 to 255. Nothing was uploaded.";
    note.dataset.own = note.textContent;
    root.dataset.ownImage = scaledFrom ? "scaled" : "loaded";
    update();
  }

  // -- start ---------------------------------------------------------------------------

  setKernel(presets.kernels.find((k) => k.name === "vertical_edges").values);
  showMeaning();
  for (const el of root.querySelectorAll(":disabled")) el.disabled = false;
  els["padding-n-label"].hidden = els.padding.value !== "number";
  clearMessage();
  update();

  // Redraw when the column changes width or the colour scheme flips.
  let lastWidth = mapWidth();
  const resize = new ResizeObserver(() => {
    if (!root.isConnected) { resize.disconnect(); return; }
    const w = mapWidth();
    if (w !== lastWidth) { lastWidth = w; draw(); }
  });
  resize.observe(root);
  const scheme = new MutationObserver(() => {
    if (!root.isConnected) { scheme.disconnect(); return; }
    draw();
  });
  scheme.observe(document.body, {attributes: true, attributeFilter: ["data-md-color-scheme"]});

  root.playground = {state, update, limits};   // for the tests and the bench
  root.dataset.mounted = "ready";
}

/**
 * Grey levels of an image file, as Pillow's "L" conversion computes them
 * (L = (19595 R + 38470 G + 7471 B + 32768) >> 16), after scaling the image down so
 * that its longer side is at most `maxSide`. Colour profiles are not applied, as
 * Pillow does not apply them either.
 */
export async function greyLevels(file, maxSide) {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = "async";
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error(file.type.startsWith("image/")
        ? `it says it is ${file.type}, but it is damaged, or too large for the browser to decode`
        : "not an image format it knows"));
      img.src = url;
    });
    const w0 = img.naturalWidth, h0 = img.naturalHeight;
    if (!w0 || !h0) throw new Error("the image has no size");
    const scale = Math.min(1, maxSide / Math.max(w0, h0));
    const width = Math.max(1, Math.round(w0 * scale));
    const height = Math.max(1, Math.round(h0 * scale));
    const options = {colorSpaceConversion: "none", premultiplyAlpha: "none"};
    if (scale < 1) Object.assign(options, {resizeWidth: width, resizeHeight: height, resizeQuality: "high"});
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, options);
    } catch {
      bitmap = await createImageBitmap(img, options);   // SVG, for one, decodes only as <img>
    }
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", {willReadFrequently: true});
    ctx.drawImage(bitmap, 0, 0, width, height);
    let {data} = ctx.getImageData(0, 0, width, height);
    // A canvas keeps colour premultiplied by alpha, so a transparent pixel reads as black
    // whatever colour the file stores. Such a picture is laid over white instead, as
    // convdocs.load_image(path, alpha="white") does (the library refuses a transparent
    // file unless told how to read it).
    let transparent = false;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) { transparent = true; break; }
    if (transparent) {
      ctx.clearRect(0, 0, width, height);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(bitmap, 0, 0, width, height);
      data = ctx.getImageData(0, 0, width, height).data;
    }
    bitmap.close();
    const values = [];
    for (let r = 0; r < height; r++) {
      const row = new Array(width);
      for (let c = 0; c < width; c++) {
        const i = 4 * (r * width + c);
        row[c] = (data[i] * 19595 + data[i + 1] * 38470 + data[i + 2] * 7471 + 0x8000) >> 16;
      }
      values.push(row);
    }
    return {values, width, height, scaledFrom: scale < 1 ? [w0, h0] : null, transparent};
  } finally {
    URL.revokeObjectURL(url);
  }
}
