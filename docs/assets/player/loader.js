// Loaded on every page (mkdocs.yml, extra_javascript). Material's instant navigation swaps
// page content without running scripts again, so this subscribes to its document$ stream:
// on every page shown it forgets the players of the page that left, and loads the player
// only when the page has an animation. Without JavaScript the figures show their GIFs.
let player = null;

// With cd-players on <html>, player.css hides the animations' GIFs, so they never load,
// and keeps their room. overrides/main.html sets it in <head>, before lazy images near the
// viewport are fetched, and takes it back at the load event unless this loader ran
// (cd-player-loader). A figure whose player cannot run gets its GIF back (cd-player-off),
// and so does every figure when the player itself cannot load.
document.documentElement.classList.add("cd-players", "cd-player-loader");

function mountPlayers() {
  if (!player && !document.querySelector("figure[data-cd-player]")) return;
  player = player || import("./player.js");
  // If the player cannot load, every figure still has its GIF; say why in the console.
  player.then((module) => module.mount(document)).catch((err) => {
    document.documentElement.classList.remove("cd-players");
    console.error(err);
  });
}

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(mountPlayers);
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountPlayers);
} else {
  mountPlayers();
}
