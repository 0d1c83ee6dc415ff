// The animation player: every <figure data-cd-player> becomes a canvas with play/pause,
// previous/next step and a scrubber, drawn from the figure's atlas (the 2x key frame plus,
// for each frame, the boxes of tiles where it differs; convdocs.figures.render.player_atlas).
// Without JavaScript, or when an atlas cannot be loaded, the figure keeps its GIF.
//
// * Motion: with prefers-reduced-motion it starts paused on the key frame. Otherwise a
//   player plays only while it is in view, and never more than one on a page: the one the
//   reader started last, else the one in view nearest the middle of the window. Pausing
//   or stepping one keeps those in view still too.
// * Weight: an atlas is fetched when its figure comes near the viewport, never at load.
//   A player far from view lets go of its decoded atlas and its canvas's pixels (a gallery
//   of 15 would otherwise hold some 200 MB); back near, it decodes the cached file again.
// * Pixels: the canvas's backing store is the frame's 2x size and every copy is the same
//   size, so what it holds is the 2x frame exactly; CSS shows it at page size.
// * Layouts: when the figure has a phone layout, the player plays its atlas while the
//   figure's media query (the one its <picture> uses) matches, and the page atlas
//   otherwise; a window that crosses the query switches layouts at the same step.

const SLATE = "slate";                  // Material's dark scheme
const NEAR = "25% 0px";                 // fetch an atlas this close to the viewport
const IN_VIEW = 0.5;                    // play when this much of the picture shows
const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {                          // 24 x 24 paths: play, pause, previous, next
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  previous: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
  next: "M16 6h2v12h-2zM6 18l8.5-6L6 6z",
  enlarge: "M5 5h5v2H7v3H5zm9 0h5v5h-2V7h-3zM5 14h2v3h3v2H5zm12 0h2v5h-5v-2h3z",
};

const players = new Map();              // figure -> Player, for the page shown now
let chosen = null;                      // the player the reader started last
let observers = null;

const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
const currentTheme = () =>
  document.body.getAttribute("data-md-color-scheme") === SLATE ? "dark" : "light";

function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function button(className, label, iconName) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.setAttribute("aria-label", label);
  b.append(icon(iconName));
  return b;
}

/** Boxes "x,y,w,h,ax,ay x,y,..." as arrays of six numbers. */
function parseBoxes(text) {
  return text.split(" ").filter(Boolean).map((box) => box.split(",").map(Number));
}

async function loadAtlas(src) {
  const response = await fetch(src);
  if (!response.ok) throw new Error(`${src}: HTTP ${response.status}`);
  const blob = await response.blob();
  // No colour conversion, no premultiplication: the canvas gets the file's bytes.
  return createImageBitmap(blob, {colorSpaceConversion: "none", premultiplyAlpha: "none"});
}

class Player {
  constructor(figure, data) {
    this.figure = figure;
    this.layouts = {page: data};
    if (data.phone && data.media) {
      this.layouts.phone = data.phone;
      this.query = matchMedia(data.media);
    }
    this.step = null;                   // set by use(): the key frame, or 0
    this.mode = "auto";                 // auto: plays when allowed; play / pause: the reader's
    this.visible = false;               // any of it on screen
    this.inView = false;                // enough of it on screen to play by itself
    this.near = false;
    this.timer = 0;
    this.drawn = null;                  // the theme whose atlas is on the canvas
    this.failed = false;
    this.use(this.wanted());
    this.build();
    if (this.query) {
      this.onQuery = () => this.switchTo(this.wanted());
      this.query.addEventListener("change", this.onQuery);
    }
  }

  /** The layout the window asks for: phone while the figure's media query matches. */
  wanted() {
    return this.query && this.query.matches ? "phone" : "page";
  }

  /** Take the numbers of one layout (page or phone); the atlases load when wanted. */
  use(name) {
    const data = this.layouts[name];
    this.layoutName = name;
    this.width = data.width;
    this.height = data.height;
    this.key = data.key;
    this.ms = data.ms;
    this.n = data.ms.length;
    this.themes = {};
    for (const [theme, t] of Object.entries(data.themes)) {
      this.themes[theme] = {src: t.src, frames: t.frames.map(parseBoxes), atlas: null,
                            loading: null};
    }
    this.step = this.step === null ? (reducedMotion() ? this.key : 0)
      : Math.min(this.step, this.n - 1);
  }

  /** The window crossed the media query: the other layout's atlas, at the same step. */
  switchTo(name) {
    if (name === this.layoutName || this.failed) return;
    const wasPlaying = this.playing;
    this.stop();
    const near = this.near;
    this.sleep();                       // drops this layout's atlases and pixels
    this.use(name);
    this.size();
    this.scrub.max = String(this.n);
    if (near) this.wake();
    this.update();
    if (wasPlaying) schedule();
  }

  /** The canvas's room and the player's width for the layout in use. */
  size() {
    this.canvas.style.aspectRatio = `${this.width} / ${this.height}`;   // its room, always
    this.root.style.width = `${this.width / 2}px`;     // shown at page size (or narrower)
    this.root.dataset.layout = this.layoutName;
  }

  build() {
    const n = this.n;
    const root = document.createElement("div");
    root.className = "cd-player";
    root.dataset.state = "loading";
    const canvas = document.createElement("canvas");
    canvas.className = "cd-player__canvas";
    canvas.width = 0;                   // no pixels until it comes near (wake)
    canvas.height = 0;
    canvas.setAttribute("role", "img");
    const img = this.figure.querySelector("img");
    canvas.setAttribute("aria-label", img ? img.getAttribute("alt") || "" : "");
    const bar = document.createElement("div");
    bar.className = "cd-player__bar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Animation controls");
    const caption = this.figure.querySelector(":scope > figcaption");
    if (caption) {
      caption.id = caption.id || `${this.figure.id || "cd-figure"}-caption`;
      bar.setAttribute("aria-describedby", caption.id);
    }
    this.playButton = button("cd-player__play", "Play animation", "play");
    const previous = button("cd-player__previous", "Previous step", "previous");
    const next = button("cd-player__next", "Next step", "next");
    const scrub = document.createElement("input");
    scrub.type = "range";
    scrub.className = "cd-player__scrub";
    scrub.min = "1";
    scrub.max = String(n);
    scrub.step = "1";
    scrub.setAttribute("aria-label", "Step");
    const status = document.createElement("span");
    status.className = "cd-player__status";
    status.setAttribute("aria-hidden", "true");   // the scrubber says it to screen readers
    const live = document.createElement("span");
    live.className = "cd-player__live";
    live.setAttribute("aria-live", "polite");
    bar.append(this.playButton, previous, next, scrub, status);
    // The lightbox (glightbox) opens the figure's still picture with its caption, as a
    // tap does on a still figure; without the lightbox there is no such button.
    if (this.figure.querySelector("a.glightbox")) {
      const enlarge = button("cd-player__enlarge", "Enlarge the picture, with its caption",
                             "enlarge");
      enlarge.addEventListener("click", () => this.enlarge());
      bar.append(enlarge);
    }
    root.append(canvas, bar, live);
    Object.assign(this, {root, canvas, bar, scrub, status, live});
    this.size();
    this.ctx = canvas.getContext("2d");
    this.ctx.imageSmoothingEnabled = false;

    this.playButton.addEventListener("click", () => this.toggle());
    canvas.addEventListener("click", () => this.toggle());   // as a video does
    previous.addEventListener("click", () => this.go(this.step - 1, true));
    next.addEventListener("click", () => this.go(this.step + 1, true));
    scrub.addEventListener("input", () => this.go(Number(scrub.value) - 1, false));
    bar.addEventListener("keydown", (e) => this.onKey(e));

    const space = this.figure.querySelector(":scope > .cd-player-space");
    if (space) space.replaceWith(root);
    else this.figure.insertBefore(root, caption);
    this.update();
  }

  /** Open the lightbox on this figure's picture in the scheme shown (paused). */
  enlarge() {
    const link = this.figure.querySelector(`a.glightbox.cd-${currentTheme()}-only`) ||
      this.figure.querySelector("a.glightbox");
    if (!link) return;
    pauseInView(this);
    this.stop();
    schedule();
    link.click();
  }

  onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const onScrubber = e.target === this.scrub;
    if (e.key === " ") {
      // A button does what it says on Space (the browser clicks it); the scrubber has
      // nothing of its own for Space, so there it plays or pauses, as on the play button.
      if (onScrubber) {
        e.preventDefault();
        this.toggle();
      }
    } else if (!onScrubber && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
      e.preventDefault();
      this.go(this.step + (e.key === "ArrowRight" ? 1 : -1), true);
    } else if (!onScrubber && (e.key === "Home" || e.key === "End")) {
      e.preventDefault();
      this.go(e.key === "Home" ? 0 : this.n - 1, true);
    }
    // On the scrubber the browser moves it (arrows, Home, End, Page keys): see "input".
  }

  get playing() {
    return this.timer !== 0;
  }

  /** Playing, or asked to play and still fetching its frames: what the play button shows,
   *  so a reader on a slow connection sees the request taken (and a second press pauses). */
  get playRequested() {
    return this.playing || (this === chosen && this.mode === "play" && !this.ready &&
      !this.failed);
  }

  /** Show step `k` (clamped) and stop: the reader is looking at one step. */
  go(k, announce) {
    if (this.failed) return;
    this.step = Math.max(0, Math.min(this.n - 1, k));
    pauseInView(this);                  // nothing else starts moving while the reader looks
    this.stop();
    this.draw();
    this.update();
    if (announce) this.live.textContent = this.stepText();
    schedule();
  }

  toggle() {
    if (this.failed) return;
    if (this.playing || (this.mode !== "pause" && this === chosen)) {
      pauseInView(this);
    } else {
      for (const p of players.values()) if (p.mode === "play") p.mode = "auto";
      this.mode = "play";
      chosen = this;
      this.look();
      this.load();
    }
    schedule();
    for (const p of players.values()) p.update();   // the buttons show who is asked to play
  }

  /** Where the picture is now. A reader's key or tap can come before the observers report
   *  a scroll (focus scrolls a button into view), and a request to play should not wait
   *  for them. */
  look() {
    const r = this.canvas.getBoundingClientRect();
    const shown = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
    this.visible = r.width > 0 && shown > 0;
    if (this.visible && !this.near) this.wake();
  }

  stepText() {
    return `step ${this.step + 1} of ${this.n}`;
  }

  update() {
    const text = this.stepText();
    this.scrub.value = String(this.step + 1);
    this.scrub.setAttribute("aria-valuetext", text);
    this.status.textContent = text;
    const playing = this.playRequested;
    if (this.shownPlaying !== playing) {
      this.shownPlaying = playing;
      this.playButton.setAttribute("aria-label", playing ? "Pause animation" : "Play animation");
      this.playButton.replaceChildren(icon(playing ? "pause" : "play"));
    }
    this.root.dataset.step = String(this.step);
    this.root.dataset.state = this.failed ? "failed" : !this.drawn ? "loading"
      : this.playing ? "playing" : "paused";
    this.root.dataset.theme = this.drawn || "";
  }

  /** Fetch the atlas of the scheme shown (once), then draw. */
  load() {
    const theme = currentTheme();
    const t = this.themes[theme];
    if (!t || this.failed) return;
    if (t.atlas) {
      if (this.drawn !== theme) this.draw();
      return;
    }
    if (t.loading) return;
    const token = {};
    t.loading = token;
    loadAtlas(t.src).then((atlas) => {
      if (t.loading !== token || !this.near || !this.root.isConnected) {
        atlas.close();                  // asleep or gone meanwhile: not wanted now
        return;
      }
      let right = this.width, bottom = this.height;
      for (const boxes of t.frames) {
        for (const [, , w, h, ax, ay] of boxes) {
          right = Math.max(right, ax + w);
          bottom = Math.max(bottom, ay + h);
        }
      }
      if (atlas.width < right || atlas.height < bottom) {
        throw new Error(`${t.src}: the atlas is smaller than its layout`);
      }
      t.atlas = atlas;
      if (currentTheme() === theme) {
        this.draw();
        this.update();
        schedule();
      }
    }).catch(() => this.fail());
  }

  /** Near the viewport: give the canvas its pixels back and draw (fetching if need be). */
  wake() {
    this.near = true;
    if (this.canvas.width !== this.width) {
      this.canvas.width = this.width;   // the 2x frame, pixel for pixel
      this.canvas.height = this.height;
      this.ctx.imageSmoothingEnabled = false;
    }
    this.load();
  }

  /** Far from view: keep the step and the reader's choice, drop the decoded pixels. */
  sleep() {
    this.near = false;
    this.stop();
    for (const t of Object.values(this.themes)) {
      if (t.atlas) t.atlas.close();
      t.atlas = null;
      t.loading = null;
    }
    this.drawn = null;
    this.canvas.width = 0;              // frees the backing store; CSS keeps the room
    this.canvas.height = 0;
    this.update();
  }

  /** Frame `step` of the scheme shown: the key frame, then this frame's boxes over it. */
  draw() {
    const theme = currentTheme();
    const t = this.themes[theme];
    if (!t || !t.atlas) {
      if (this.near) this.load();
      return;
    }
    const {ctx, width, height} = this;
    ctx.drawImage(t.atlas, 0, 0, width, height, 0, 0, width, height);
    for (const [x, y, w, h, ax, ay] of t.frames[this.step]) {
      ctx.drawImage(t.atlas, ax, ay, w, h, x, y, w, h);
    }
    this.drawn = theme;
  }

  get ready() {
    return !this.failed && this.drawn !== null && this.themes[currentTheme()]?.atlas != null;
  }

  start() {
    if (this.playing) return;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.step = (this.step + 1) % this.n;
        this.draw();
        this.update();
        tick();
      }, this.ms[this.step]);
    };
    tick();
    this.update();
  }

  stop() {
    if (!this.playing) return;
    clearTimeout(this.timer);
    this.timer = 0;
    this.update();
  }

  /** The atlas cannot be had: put the GIF back, as if there were no JavaScript. */
  fail() {
    if (this.failed) return;
    this.failed = true;
    this.stop();
    this.destroy();
    this.figure.classList.add("cd-player-off");
    this.root.remove();
    players.delete(this.figure);
    schedule();
  }

  destroy() {
    if (this.query) this.query.removeEventListener("change", this.onQuery);
    clearTimeout(this.timer);
    this.timer = 0;
    for (const t of Object.values(this.themes)) {
      if (t.atlas) t.atlas.close();
      t.atlas = null;
      t.loading = null;
    }
    if (chosen === this) chosen = null;
    if (observers) {
      observers.view.unobserve(this.canvas);
      observers.near.unobserve(this.canvas);
    }
  }
}

/** The reader paused `player` or stepped through it: the players in view stay still too,
 *  until asked to play. */
function pauseInView(player) {
  for (const p of players.values()) {
    if (p === player || (p.inView && p.mode === "auto")) p.mode = "pause";
  }
  if (chosen === player) chosen = null;
}

/** How far the middle of a player's picture is from the middle of the window. */
function offCentre(p) {
  const r = p.canvas.getBoundingClientRect();
  return Math.abs((r.top + r.bottom) / 2 - window.innerHeight / 2);
}

/** Let at most one player play: the one the reader started, else the one in view nearest
 *  the middle of the window. */
function schedule() {
  const hidden = document.visibilityState === "hidden";
  const motion = !reducedMotion();
  let winner = null;
  if (!hidden) {
    const wants = (p) => p.ready &&
      ((p.mode === "play" && p.visible) || (p.mode === "auto" && motion && p.inView));
    if (chosen && wants(chosen)) {
      winner = chosen;
    } else {
      for (const p of players.values()) {
        if (wants(p) && (!winner || offCentre(p) < offCentre(winner))) winner = p;
      }
    }
  }
  for (const p of players.values()) {
    if (p !== winner) p.stop();
  }
  if (winner) winner.start();
}

function setUp() {
  if (observers) return;
  const view = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const p = players.get(e.target.closest("figure"));
      if (!p) continue;
      const tall = e.intersectionRect.height >= IN_VIEW * window.innerHeight;
      p.visible = e.isIntersecting;
      p.inView = e.isIntersecting && (e.intersectionRatio >= IN_VIEW || tall);
    }
    schedule();
  }, {threshold: [0, 0.25, IN_VIEW, 0.75, 1]});
  const near = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const p = players.get(e.target.closest("figure"));
      if (!p) continue;
      if (e.isIntersecting) p.wake();
      else if (p.near) p.sleep();
    }
  }, {rootMargin: NEAR});
  // The palette toggle sets Material's scheme on <body>; draw that scheme's frames.
  new MutationObserver(() => {
    for (const p of players.values()) {
      if (p.near) {
        p.draw();
        p.update();
      }
    }
    schedule();
  }).observe(document.body, {attributes: true, attributeFilter: ["data-md-color-scheme"]});
  matchMedia("(prefers-reduced-motion: reduce)").addEventListener("change", schedule);
  document.addEventListener("visibilitychange", schedule);
  observers = {view, near};
}

/** Whether `data` has the shape the hook writes (docs/hooks/figures.py checks every
 *  number): anything else leaves the figure its GIF. */
function wellFormed(data) {
  const whole = (v) => Number.isInteger(v) && v >= 0;
  const layout = (d) => {
    const n = Array.isArray(d?.ms) ? d.ms.length : 0;
    return n > 0 && whole(d.width) && whole(d.height) && whole(d.key) && d.key < n &&
      d.ms.every((ms) => whole(ms)) &&
      ["light", "dark"].every((theme) => {
        const t = d.themes?.[theme];
        return typeof t?.src === "string" && Array.isArray(t.frames) && t.frames.length === n &&
          t.frames.every((boxes) => typeof boxes === "string" && /^[\d, ]*$/.test(boxes));
      });
  };
  // a phone layout is optional; when there is one, it comes with its media query
  return layout(data) && (data.phone === undefined ||
    (layout(data.phone) && typeof data.media === "string"));
}

/** Forget players whose figure left the page (Material's instant navigation). */
export function sweep() {
  for (const [figure, p] of players) {
    if (!figure.isConnected) {
      p.destroy();
      players.delete(figure);
    }
  }
}

/** Make a player of every animated figure of `root` that has none. */
export function mount(root = document) {
  setUp();
  sweep();
  for (const figure of root.querySelectorAll("figure[data-cd-player]")) {
    if (players.has(figure)) continue;
    // A copy of a page that was shown before may carry a player nothing runs: start over.
    for (const stale of figure.querySelectorAll(":scope > .cd-player")) stale.remove();
    let data = null;
    try {
      data = JSON.parse(figure.dataset.cdPlayer);
    } catch {
      // no player: the GIF shows (below)
    }
    if (!wellFormed(data)) {
      figure.classList.add("cd-player-off");
      continue;
    }
    const p = new Player(figure, data);
    players.set(figure, p);
    observers.view.observe(p.canvas);
    observers.near.observe(p.canvas);
  }
  schedule();
}

/** For tests and the curious: how many players there are and how many have a timer. */
export function stats() {
  const all = [...players.values()];
  return {players: all.length, timers: all.filter((p) => p.timer !== 0).length,
          playing: all.filter((p) => p.playing).map((p) => p.figure.id),
          awake: all.filter((p) => p.canvas.width > 0).length};
}
