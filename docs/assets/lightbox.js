// The lightbox (mkdocs-glightbox) opens a figure's picture with its caption. On a phone
// glightbox cuts a description to 60 characters behind a "See more" link; a caption is what
// makes a figure readable there, so it shows whole (glightbox scrolls a long one).
// The plugin's inline script makes `lightbox` before this module runs (modules wait for the
// page to be parsed); Material's instant navigation keeps the same instance.
if (typeof lightbox !== "undefined" && lightbox && lightbox.settings) {
  lightbox.settings.moreLength = 0;
}
