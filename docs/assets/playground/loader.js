// Loaded on every page (mkdocs.yml, extra_javascript). Material's instant navigation swaps
// page content without running scripts again, so this subscribes to its document$ stream and
// loads the playground only when the page shown has one.
// Mounted roots are remembered by identity, not by an attribute: going back in history can
// bring a copy of an earlier page whose attributes say "mounted" while nothing runs it.
const mounted = new WeakSet();

function mountPlayground() {
  const root = document.querySelector("[data-playground]");
  if (!root || mounted.has(root)) return;
  mounted.add(root);
  root.dataset.mounted = "loading";
  import("./ui.js")
    .then((ui) => ui.mount(root))
    .catch((err) => {
      root.dataset.mounted = "failed";
      const message = root.querySelector(".pg-message");
      if (message) message.textContent = `The playground could not start: ${err.message}`;
      console.error(err);
    });
}

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(mountPlayground);
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountPlayground);
} else {
  mountPlayground();
}
