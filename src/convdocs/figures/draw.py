"""Drawing primitives shared by every figure: number grids, pictures, layout.

Everything here draws into the Figure or Axes it is given and never saves.
Sizes are in inches at the page scale (1 inch = 100 CSS pixels); one matrix
cell is :data:`CELL` inches in every figure, so grids compare at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy

from . import style
from .style import Theme

CELL = 0.42          # inches per matrix cell
GAP = 0.55           # inches between panels, room for an operator sign
TITLE = 0.42         # inches above a panel for its title
WRAP = 0.5           # inches between the lines of a wrapped row, room for its sign
TABLE_SLACK = 0.1    # inches: rows whose panels and gaps differ less are a table
MINUS = "\u2212"     # a real minus sign reads better than a hyphen


def number(value: float) -> str:
    """Format a value for a cell: integers plainly, others with up to 2 decimals."""
    if value == 0:
        return "0"
    if float(value).is_integer():
        text = f"{int(value)}"
    else:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        if text in ("0", "-0"):
            text = f"{value:.1e}"
    return text.replace("-", MINUS)


# -- layout ------------------------------------------------------------------

@dataclass
class Layout:
    """Rows of panels with fixed sizes in inches, centred, laid out once.

    ``add_row([(w, h), ...])`` returns the row's index; ``build(fig)`` sizes
    the figure and returns one list of Axes per row. Gaps between panels are
    :data:`GAP` wide unless given; their centres are kept for operator signs.
    """

    margin: float = 0.18
    row_gap: float = 0.3
    rows: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    glued: list = field(default_factory=list)
    empty: list = field(default_factory=list)

    def add_row(self, panels, gaps=None, title=TITLE, below=0.0, lead=False, glued=(),
                empty=()):
        """Add a row. When a narrow medium wraps it: with `lead`, a panel that starts a
        line keeps the gap before it (room for its tick labels, say); the gaps numbered in
        `glued` are never broken (a label panel beside its column). The panels numbered in
        `empty` keep their place but get no Axes (None); a table's wrapped line whose
        panels are all empty is left out."""
        gaps = [GAP] * (len(panels) - 1) if gaps is None else list(gaps)
        self.rows.append((list(panels), gaps, title, below))
        self.leads.append(lead)
        self.glued.append(set(glued))
        self.empty.append(set(empty))
        return len(self.rows) - 1

    def size(self):
        widths = [sum(w for w, _ in p) + sum(g) for p, g, _, _ in self.rows]
        heights = [max(h for _, h in p) + t + b for p, _, t, b in self.rows]
        return (max(widths) + 2 * self.margin,
                sum(heights) + self.row_gap * (len(self.rows) - 1) + 2 * self.margin)

    def build(self, fig):
        """Size `fig` and add the panels' Axes, one list per row.

        For the page every row is one line, as designed. For a narrower medium
        (:func:`convdocs.figures.style.medium`), a row wider than the medium is wrapped:
        its panels continue on the next line, and the operator sign of the gap where it
        breaks sits centred between the two lines (:data:`WRAP` inches of room).
        """
        medium = style.medium()
        limit = medium.wrap_width - (2 * self.margin if medium.shows_margins else 0.0)
        if any(sum(w for w, _ in p) + sum(g) > limit for p, g, _, _ in self.rows):
            return self._build_wrapped(fig, limit)
        width, height = self.size()
        fig.set_size_inches(width, height)
        axes_rows, self.gap_centres = [], []
        y = height - self.margin
        for r, (panels, gaps, title, below) in enumerate(self.rows):
            row_h = max(h for _, h in panels)
            row_w = sum(w for w, _ in panels) + sum(gaps)
            x = (width - row_w) / 2
            y_mid = y - title - row_h / 2
            axes, centres = [], []
            for n, (w, h) in enumerate(panels):
                axes.append(self._panel(fig, r, n, (x / width, (y_mid - h / 2) / height,
                                                    w / width, h / height)))
                x += w
                if n < len(gaps):
                    centres.append(((x + gaps[n] / 2) / width, y_mid / height))
                    x += gaps[n]
            axes_rows.append(axes)
            self.gap_centres.append(centres)
            y -= title + row_h + below + self.row_gap
        _record_breaks(fig, self._page_breaks())
        return axes_rows

    def _page_breaks(self):
        y, breaks = self.margin, []
        for panels, _, title, below in self.rows[:-1]:
            y += title + max(h for _, h in panels) + below
            breaks.append(y + self.row_gap / 2)
            y += self.row_gap
        return breaks


    def _chunks(self, panels, gaps, limit, lead=False, glued=()):
        """Split one row's panel indices into lines no wider than `limit` (a panel wider
        than that has a line of its own). Panels joined by a `glued` gap stay on one
        line."""
        units = [[0]]
        for n in range(1, len(panels)):
            if n - 1 in glued:
                units[-1].append(n)
            else:
                units.append([n])
        width = lambda unit: sum(panels[n][0] for n in unit) + \
            sum(gaps[n] for n in unit[:-1])  # noqa: E731
        chunks, current, used = [], [], 0.0
        for unit in units:
            gap = gaps[unit[0] - 1] if current else 0.0
            if current and used + gap + width(unit) > limit:
                chunks.append(current)
                current, used = [], gap if lead else 0.0
                gap = 0.0
            current += unit
            used += gap + width(unit)
        return chunks + [current]

    def _lines(self, limit):
        """The lines a narrow medium shows: (row, panel indices, wrapped before it). A
        table (every row the same panels) wraps by blocks of columns, so that its columns
        stay aligned; other rows wrap one by one."""
        first = self.rows[0]
        close = lambda a, b: abs(a - b) <= TABLE_SLACK  # noqa: E731
        table = len(self.rows) > 1 and all(
            len(p) == len(first[0]) and all(close(a, b) for a, b in zip(g, first[1])) and
            all(close(w, w0) for (w, _), (w0, _) in zip(p, first[0]))
            for p, g, _, _ in self.rows)
        if table:     # chunk the widest of each column, the widest of each gap
            widest = [(max(p[n][0] for p, _, _, _ in self.rows), 0.0)
                      for n in range(len(first[0]))]
            gaps = [max(g[n] for _, g, _, _ in self.rows) for n in range(len(first[1]))]
            return [(r, chunk, r == 0 and c > 0) for c, chunk in
                    enumerate(self._chunks(widest, gaps, limit))
                    for r in range(len(self.rows))
                    if r == 0 or not set(chunk) <= self.empty[r]], True
        return [(r, chunk, c > 0) for r, (p, g, _, _) in enumerate(self.rows)
                for c, chunk in enumerate(self._chunks(p, g, limit, self.leads[r],
                                                       self.glued[r]))], False

    def _build_wrapped(self, fig, limit):
        lines, table = self._lines(limit)
        spans, leads = [], []
        for r, chunk, _ in lines:
            panels, gaps = self.rows[r][0], self.rows[r][1]
            leads.append(gaps[chunk[0] - 1] if self.leads[r] and chunk[0] else 0.0)
            spans.append(sum(panels[n][0] for n in chunk) + sum(gaps[n] for n in chunk[:-1])
                         + leads[-1])
        width = max(spans) + 2 * self.margin
        height = 2 * self.margin
        for i, (r, chunk, wrapped) in enumerate(lines):
            _, _, title, below = self.rows[r]
            height += max(self.rows[r][0][n][1] for n in chunk) + title + below
            if i:
                height += WRAP if wrapped else self.row_gap
        fig.set_size_inches(width, height)
        axes_rows = [[None] * len(p) for p, _, _, _ in self.rows]
        self.gap_centres = [[None] * len(g) for _, g, _, _ in self.rows]
        breaks = []
        y = height - self.margin
        for i, ((r, chunk, wrapped), span) in enumerate(zip(lines, spans)):
            panels, gaps, title, below = self.rows[r]
            if i:
                if wrapped:      # the sign of the gap where the row broke, between the lines
                    for row in (range(len(self.rows)) if table else (r,)):
                        if 0 < chunk[0] <= len(self.gap_centres[row]):
                            if self.gap_centres[row][chunk[0] - 1] is None:
                                self.gap_centres[row][chunk[0] - 1] = (0.5,
                                                                       (y - WRAP / 2) / height)
                y -= WRAP if wrapped else self.row_gap
            row_h = max(panels[n][1] for n in chunk)
            x = (width - span) / 2 + leads[i]
            y_mid = y - title - row_h / 2
            for n in chunk:
                w, h = panels[n]
                axes_rows[r][n] = self._panel(fig, r, n, (x / width, (y_mid - h / 2) / height,
                                                          w / width, h / height))
                x += w
                if n != chunk[-1]:
                    self.gap_centres[r][n] = ((x + gaps[n] / 2) / width, y_mid / height)
                    x += gaps[n]
            y -= title + row_h + below
            if i + 1 < len(lines):
                # Between two lines; above the operator sign where a row wrapped, so that
                # a slide cut there starts with the sign ("= output"), not ends with it.
                room = (WRAP / 5) if lines[i + 1][2] else self.row_gap / 2
                breaks.append(height - (y - room))
        _record_breaks(fig, breaks)
        return axes_rows


    def _panel(self, fig, r, n, rect):
        """The Axes of panel `n` of row `r` at `rect` (figure fractions), without its
        axis lines and ticks; None for a panel the row leaves empty."""
        if n in self.empty[r]:
            return None
        ax = fig.add_axes(rect)
        ax.set_axis_off()
        return ax


def _record_breaks(fig, breaks):
    """Note on the figure where its lines of panels meet (inches from the top): the places
    a slide may cut a figure too tall for it (see render.slides)."""
    fig.convdocs_breaks = list(breaks)


def grid_size(shape) -> tuple[float, float]:
    """Panel size in inches for a matrix of `shape` cells."""
    return shape[1] * CELL, shape[0] * CELL


def operator(fig, centre, sign: str, theme: Theme, size: float = 20):
    """Write an operator sign (such as '*', '=' or an arrow) at a gap centre."""
    return fig.text(*centre, sign, ha="center", va="center", fontsize=size,
                    color=theme.muted)


def title(ax, text: str, theme: Theme, role: str | None = None):
    """A panel title; with a role, a chip of the role's colour marks it. Returns the
    artists added."""
    # A plain text 6 points above the axes: set_title would lay out tick labels of the
    # hidden axes on every draw, which is most of the time an animation frame takes.
    added = [ax.text(0.5, 1.0, text, color=theme.text, fontsize=style.TITLE_SIZE,
                     ha="center", va="baseline",
                     transform=offset_copy(ax.transAxes, ax.figure, y=8, units="points"))]
    if role:
        added.append(ax.add_artist(Rectangle((0, 1.0), 1.0, 0.018, transform=ax.transAxes,
                                             color=getattr(theme, role), clip_on=False,
                                             zorder=5)))
    return added


# -- matrices and pictures -------------------------------------------------------

def norm_for(values, kind: str, limit: float | None = None) -> Normalize:
    """Colour scale: 'gray' spans [0, limit]; 'signed' is symmetric around zero."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    top = limit if limit is not None else (float(np.abs(finite).max()) if finite.size else 1.0)
    top = top or 1.0
    return Normalize(-top, top) if kind == "signed" else Normalize(0, top)


def matrix(ax, values, theme: Theme, *, kind: str = "gray", norm: Normalize | None = None,
           numbers: bool = True, role: str | None = None, hidden=None, padded=None,
           fontsize: float = style.NUMBER_SIZE):
    """Draw a 2-D array as coloured cells, optionally with its numbers.

    `kind` is 'gray' (pixel intensities), 'signed' (zero at mid-grey) or
    'plain' (background-coloured cells: a kernel or a table of numbers).
    `hidden` masks cells not computed yet; `padded` marks padding cells,
    drawn with dashed outlines. Returns every artist it added.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    norm = norm or norm_for(values, kind if kind != "plain" else "gray")
    cmap = theme.signed if kind == "signed" else theme.gray
    hidden = np.zeros(values.shape, bool) if hidden is None else np.asarray(hidden)
    padded = np.zeros(values.shape, bool) if padded is None else np.asarray(padded)
    fills = np.empty(values.shape + (4,))
    fills[:] = cmap(norm(values)) if kind != "plain" else _rgba(theme.background)
    fills[hidden | padded] = _rgba(theme.background)
    added = [ax.imshow(fills, extent=(0, cols, rows, 0), interpolation="nearest",
                       resample=False)]
    ax.set_xlim(-0.04, cols + 0.04)
    ax.set_ylim(rows + 0.04, -0.04)
    ax.set_aspect("equal")
    lines = dict(color=theme.cell_line, lw=0.8)
    added.append(ax.hlines(np.arange(rows + 1), 0, cols, **lines))
    added.append(ax.vlines(np.arange(cols + 1), 0, rows, **lines))
    for r, c in zip(*np.nonzero(padded)):
        added.append(ax.add_artist(Rectangle((c + 0.08, r + 0.08), 0.84, 0.84, fill=False,
                                             ls=(0, (3, 2)), lw=0.9, ec=theme.muted)))
    if numbers:
        for (r, c), v in np.ndenumerate(values):
            if hidden[r, c]:
                continue
            on = theme.background if (kind == "plain" or padded[r, c]) else fills[r, c]
            colour = theme.text if kind == "plain" or padded[r, c] else style.readable_on(on)
            added.append(ax.text(c + 0.5, r + 0.53, number(v), ha="center", va="center",
                                 fontsize=fontsize, color=colour))
    if role:
        added.append(frame(ax, 0, 0, rows, cols, getattr(theme, role), lw=2.5))
    return added


def connect(ax_from, xy_from, ax_to, xy_to, colour, lw=1.2):
    """A thin line from a point of one panel to a point of another (data coordinates)."""
    from matplotlib.patches import ConnectionPatch
    line = ConnectionPatch(xyA=xy_from, coordsA=ax_from.transData, xyB=xy_to,
                           coordsB=ax_to.transData, color=colour, lw=lw, zorder=7)
    ax_to.figure.add_artist(line)
    return line


def _rgba(colour):
    from matplotlib.colors import to_rgba
    return np.array(to_rgba(colour))


def frame(ax, r, c, h, w, colour, lw=3.0, **kw):
    """Outline the block of cells starting at (r, c), h rows by w columns."""
    return ax.add_artist(Rectangle((c, r), w, h, fill=False, ec=colour, lw=lw,
                                  joinstyle="miter", zorder=6, clip_on=False, **kw))


def picture(ax, values, theme: Theme, *, kind: str = "gray", norm: Normalize | None = None,
            role: str | None = None, rgb: bool = False):
    """Draw an image without numbers (a photo, a feature map, the grid)."""
    values = np.asarray(values, dtype=float)
    if rgb:
        ax.imshow(np.clip(values / 255.0, 0, 1), interpolation="nearest", resample=False)
    else:
        norm = norm or norm_for(values, kind)
        cmap = theme.signed if kind == "signed" else theme.gray
        ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest", resample=False)
    ax.set_aspect("equal")
    if role:
        h, w = values.shape[:2]
        frame(ax, -0.5, -0.5, h, w, getattr(theme, role), lw=2.5)
    return ax


KEY_GAP, KEY_HEIGHT = 0.12, 0.09   # inches between a panel and its colour key; key height


def colour_key_below(panel, norm: Normalize, theme: Theme, kind: str = "signed"):
    """A colour key centred under `panel`, a fixed distance below it whatever its size."""
    fig = panel.figure
    width, height = fig.get_size_inches()
    box = panel.get_position()
    key_w = min(box.width * 0.8, 1.6 / width)
    ax = fig.add_axes((box.x0 + (box.width - key_w) / 2, box.y0 - (KEY_GAP + KEY_HEIGHT) / height,
                       key_w, KEY_HEIGHT / height))
    return colour_key(ax, norm, theme, kind)


def colour_key(ax, norm: Normalize, theme: Theme, kind: str, label: str = ""):
    """A small horizontal colour bar with its end values (and zero, when signed)."""
    cmap = theme.signed if kind == "signed" else theme.gray
    ramp = np.linspace(norm.vmin, norm.vmax, 64)[None, :]
    ax.imshow(ramp, cmap=cmap, norm=norm, aspect="auto", extent=(0, 1, 0, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    ticks = [(0.0, norm.vmin), (1.0, norm.vmax)]
    if kind == "signed":
        ticks.insert(1, (0.5, 0.0))
    for x, v in ticks:
        shown = number(round(v)) if abs(v) >= 10 else number(v)
        ax.text(x, -0.4, shown, ha="center", va="top", fontsize=style.LABEL_SIZE - 1,
                color=theme.muted, transform=ax.transAxes)
    if label:
        ax.text(0.5, 1.25, label, ha="center", va="bottom", fontsize=style.LABEL_SIZE - 1,
                color=theme.muted, transform=ax.transAxes)
    for side in ax.spines.values():
        side.set_edgecolor(theme.cell_line)
    return ax
