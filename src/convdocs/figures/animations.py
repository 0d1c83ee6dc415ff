"""The two animations: a convolution and a pooling, step by step, for any arguments.

Each is a :class:`convdocs.figures.spec.Frames`: ``static(fig, theme)`` draws
what every frame shares and ``moving(ctx, step)`` draws one step over it and
returns the artists it added. Step ``k`` highlights the k-th window of the
step trace and fills the output up to it; the step after the last one shows
the finished output. The output grid shows the output it is given (the
figure's data); the windows, products and sums come from the step trace,
which equals that output bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..conv import plan_conv2d
from ..pool import plan_pool2d
from ..steps import conv2d_steps, pool2d_steps
from . import draw, style
from .draw import Layout
from .panels import arithmetic_line, hatch_cells, kernel_matrix, signed_norm, sum_text


class Animation:
    """Shared by both animations: the step trace, the frame count, one-pass drawing."""

    steps: list

    @property
    def frames(self) -> int:
        """One frame per step, then one with the finished output."""
        return len(self.steps) + 1

    def current(self, step):
        return self.steps[step] if step is not None and step < len(self.steps) else None

    def draw(self, fig, theme, step) -> None:
        """Frame `step` in one pass: both layers into one figure."""
        self.moving(self.static(fig, theme), step)

    def _check_output(self, output, shape) -> np.ndarray:
        output = np.asarray(output, dtype=float)
        if output.shape != tuple(shape):
            raise ValueError(f"output must have the trace's shape {tuple(shape)} "
                             f"(got {output.shape})")
        return output


class ConvAnimation(Animation):
    """A convolution, step by step: window, products, sum, output filling up.

    The input panel shows the padded input the window slides over, padding in
    dashed cells. `real` overrides which of those cells are real input (the
    transposed convolution's zero-stretched input uses this). With
    `show_skipped`, real cells that no window reads are cross-hatched.
    """

    def __init__(self, image, kernel, output, *, stride=1, padding=0, dilation=1,
                 padding_mode="zeros", real=None, products=True, cell=draw.CELL,
                 input_title="input", kernel_title="filter", input_max=None,
                 show_skipped=False):
        kw = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=padding_mode)
        self.image_shape = np.shape(image)
        self.plan = plan_conv2d(image, kernel, **kw)
        self.steps = conv2d_steps(image, kernel, **kw)
        self.out = self._check_output(output, self.plan.out_shape)
        self.real, self.products, self.cell = real, products, cell
        self.input_title, self.kernel_title = input_title, kernel_title
        self.input_max, self.show_skipped = input_max, show_skipped
        self.dilated = self.plan.dilation != (1, 1)

    def static(self, fig, theme):
        plan, out, cell = self.plan, self.out, self.cell
        kernel, padded = plan.kernel, plan.padded
        (top, _), (left, _) = plan.pads
        height, width = self.image_shape[:2]
        real = self.real
        if real is None:
            real = np.zeros(padded.shape, bool)
            real[top:top + height, left:left + width] = True
        size = lambda shape: (shape[1] * cell, shape[0] * cell)  # noqa: E731
        panels = [size(padded.shape), size(kernel.shape)] + \
            ([size(kernel.shape)] if self.products else []) + [size(out.shape)]
        lay = Layout()
        lay.add_row(panels, gaps=[0.5, 0.5, 0.7] if self.products else [0.5, 0.7], below=0.55)
        axes, = lay.build(fig)
        a, k, o = axes[0], axes[1], axes[-1]
        font = style.NUMBER_SIZE if cell >= draw.CELL else style.NUMBER_SIZE - 1
        limit = self.input_max if self.input_max is not None else \
            max(float(np.max(np.abs(padded))), 1.0)
        draw.matrix(a, padded, theme, norm=draw.norm_for(padded, "gray", limit), padded=~real,
                    fontsize=font)
        if real.all():
            draw.frame(a, 0, 0, *padded.shape, theme.input, lw=2.5)
        else:
            draw.frame(a, top, left, height, width, theme.input, lw=2.5)
        draw.title(a, self.input_title, theme)
        kernel_matrix(k, kernel, theme, cell_font=font)
        draw.title(k, self.kernel_title, theme)
        draw.title(o, f"output {out.shape[0]} \u00d7 {out.shape[1]}", theme)
        centres = lay.gap_centres[0]
        draw.operator(fig, centres[0], "\u00d7", theme)
        if self.products:
            draw.operator(fig, centres[1], "=", theme)
        draw.operator(fig, centres[-1], "\u03a3 \u2192", theme, size=16)
        if self.show_skipped:
            read = np.zeros(padded.shape, bool)
            for s in self.steps:
                read[np.ix_(s.rows + top, s.cols + left)] = True
            hatch_cells(a, real & ~read, theme)
        return dict(fig=fig, theme=theme, axes=axes, font=font, offset=(top, left))

    def moving(self, ctx, step) -> list:
        fig, theme, axes, font = ctx["fig"], ctx["theme"], ctx["axes"], ctx["font"]
        a, o = axes[0], axes[-1]
        out, kernel = self.out, self.plan.kernel
        current = self.current(step)
        done = len(self.steps) if current is None else current.index + 1
        hidden = (np.arange(out.size) >= done).reshape(out.shape)
        added = draw.matrix(o, out, theme, kind="signed", norm=signed_norm(out), hidden=hidden,
                            role="output", fontsize=font)
        if current is None:
            if self.products:
                added += draw.matrix(axes[2], np.zeros(kernel.shape), theme, kind="plain",
                                     numbers=False)
                added += draw.title(axes[2], "products", theme)
            added.append(arithmetic_line(fig, theme,
                                         "done: every output cell is one window's sum",
                                         done=True))
            return added
        top, left = ctx["offset"]
        rows, cols = current.rows + top, current.cols + left
        if self.dilated:
            for r in rows:
                for c in cols:
                    added.append(draw.frame(a, r, c, 1, 1, theme.window, lw=2.2))
        else:
            added.append(draw.frame(a, rows[0], cols[0], *kernel.shape, theme.window))
        if self.products:
            added += draw.matrix(axes[2], current.products, theme, kind="plain", role="window",
                                 fontsize=font)
            added += draw.title(axes[2], "window \u00d7 filter", theme)
        added.append(draw.frame(o, *current.out, 1, 1, theme.window))
        added.append(arithmetic_line(
            fig, theme, f"{sum_text(current.products)} = {draw.number(current.result)}"))
        return added


def pool_text(step, op):
    vals = [draw.number(v) for v in np.ravel(step.values) if np.isfinite(v)]
    if op == "max":
        return f"max({', '.join(vals)}) = {draw.number(step.result)}"
    return (f"({' + '.join(vals)}) \u00f7 {draw.number(step.divisor)} = "
            f"{draw.number(step.result)}")


class PoolAnimation(Animation):
    """Pooling, step by step, for any window and stride.

    The input panel draws the image itself, with no padded cells around it, so
    padding and ceil_mode (whose windows hang over the edge) are refused.
    """

    def __init__(self, image, output, size=2, *, op="max", stride=None, input_max=None):
        self.image = np.asarray(image, dtype=float)
        self.op = op
        self.plan = plan_pool2d(image, size, op=op, stride=stride)
        self.steps = pool2d_steps(self.image, size, op=op, stride=stride)
        self.out = self._check_output(output, self.plan.out_shape)
        self.input_max = input_max

    def static(self, fig, theme):
        image, out, plan = self.image, self.out, self.plan
        norm = draw.norm_for(image, "gray", self.input_max or float(image.max()) or 1.0)
        lay = Layout()
        lay.add_row([draw.grid_size(image.shape), draw.grid_size(out.shape)], gaps=[1.6],
                    below=0.55)
        (a, o), = lay.build(fig)
        draw.matrix(a, image, theme, norm=norm, role="input")
        draw.title(a, "input", theme)
        draw.title(o, "max pooled" if self.op == "max" else "average pooled", theme)
        kh, kw = plan.size
        label = f"{kh} \u00d7 {kw} {self.op}"
        if plan.stride != plan.size:
            label += f"\nstride {plan.stride[0]}"
        draw.operator(fig, lay.gap_centres[0][0], f"{label}\n\u2192", theme, size=15)
        return dict(fig=fig, theme=theme, axes=(a, o), norm=norm)

    def moving(self, ctx, step) -> list:
        fig, theme, (a, o), norm = ctx["fig"], ctx["theme"], ctx["axes"], ctx["norm"]
        out = self.out
        kh, kw = self.plan.size
        current = self.current(step)
        done = len(self.steps) if current is None else current.index + 1
        hidden = (np.arange(out.size) >= done).reshape(out.shape)
        added = draw.matrix(o, out, theme, norm=norm, hidden=hidden, role="output")
        if current is None:
            added.append(arithmetic_line(fig, theme, f"done: each output cell summarises one "
                                                     f"{kh} \u00d7 {kw} window", done=True))
            return added
        added.append(draw.frame(a, current.rows[0], current.cols[0], kh, kw, theme.window))
        added.append(draw.frame(o, *current.out, 1, 1, theme.window))
        added.append(arithmetic_line(fig, theme, pool_text(current, self.op)))
        return added
