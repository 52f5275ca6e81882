"""Accessibility helpers for what the kit draws: figures with alt text and their numbers as a table,
boxes whose colours work on light and dark themes, a focus ring, and a throttled live-region text.

- :class:`Figure`: a matplotlib figure shown as ``<img alt=...>`` plus a ``<details>`` with the
  numbers it plots (a table a screen reader reads); its text repr is the alt text.
- :func:`box`: a tinted box (error, ok, warn) that keeps the theme's own text colour (JupyterLab's
  ``--jp-content-font-color1``), so its contrast holds in JupyterLab Light and Dark.
- :func:`dot`: a coloured status dot that is not text (its colour is not the only sign: words follow).
- :data:`FOCUS_CSS` and :func:`focus_style`: a visible focus ring for the kit's widget buttons.
- :class:`Announcer`: what a polite live region says, at most once every few seconds.
"""
from __future__ import annotations

import base64
import time
from html import escape

#: Off screen but read by screen readers (the usual "visually hidden" pattern).
VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                   "clip:rect(0,0,0,0);white-space:nowrap;border:0")

#: Tints over whatever the background is (alpha), with the theme's text colour: readable on both themes.
_TINTS = {"error": ("#d9534f", "rgba(217,83,79,0.12)"), "ok": ("#2e7d32", "rgba(46,125,50,0.12)"),
          "warn": ("#e65100", "rgba(230,81,0,0.12)")}
TEXT = "var(--jp-content-font-color1, inherit)"


def box(kind: str, body_html: str, *, cls: str = "", extra: str = "") -> str:
    """A tinted box with a coloured left border; the text keeps the theme's colour."""
    border, tint = _TINTS[kind]
    klass = f" class='{cls}'" if cls else ""
    return (f"<div{klass} style='border-left:4px solid {border}; background:{tint}; color:{TEXT}; "
            f"padding:4px 8px{'; ' + extra if extra else ''}'>{body_html}</div>")


def dot(color: str) -> str:
    """A coloured dot drawn with CSS (not a character): decoration beside words that say the same."""
    return (f"<span aria-hidden='true' style='display:inline-block; width:0.7em; height:0.7em; border-radius:50%; "
            f"background:{color}; margin-right:0.3em; vertical-align:baseline'></span>")


FOCUS_CSS = (".dockerlab-widget .jupyter-button:focus-visible, .dockerlab-widget .widget-input:focus-visible, "
             ".dockerlab-widget input:focus-visible {outline: 2px solid var(--jp-content-font-color1, #000) "
             "!important; outline-offset: 2px !important;}")

#: At 200 % zoom (a 640 CSS px wide lab) nothing of a kit widget scrolls sideways: ipywidgets' boxes are
#: ``overflow: auto``, so a row too wide for them scrolled inside them, unnamed and out of keyboard reach.
#: Rows wrap instead, text inputs give way, long words (digests, ids, commands) break.
REFLOW_CSS = (".dockerlab-widget .widget-hbox {flex-wrap: wrap; row-gap: 2px;} "
              ".dockerlab-widget .widget-html-content, .dockerlab-widget .widget-label {overflow-wrap: anywhere; "
              "min-width: 0;} "
              ".dockerlab-widget .widget-text, .dockerlab-widget .widget-dropdown, .dockerlab-widget .widget-combobox "
              "{max-width: 100%; min-width: 0;} "
              ".dockerlab-widget .widget-text input, .dockerlab-widget .widget-combobox input {min-width: 4em;} "
              ".dockerlab-widget .widget-toggle-buttons .widget-toggle-button {max-width: 100%;} "
              ".dockerlab-widget .widget-toggle-buttons {flex-wrap: wrap; max-width: 100%;}")
#: What a widget of a kernel that stopped (Kernel > Restart, a crash, the notebook reopened) says. The front end
#: of ipywidgets marks each view of a model whose kernel is gone ``jupyter-widgets-disconnected`` (and draws a
#: broken-link icon); the kernel that could say it is gone, so the words come from this stylesheet, which the
#: page still has: the widget's last picture ("live", "running...") stays, greyed, under them.
DEAD_KERNEL_TEXT = "This widget belonged to a kernel that has stopped: run the cell again."
DEAD_KERNEL_CSS = (f".dockerlab-widget.jupyter-widgets-disconnected::after {{content: \"{DEAD_KERNEL_TEXT}\"; "
                   "order: -1; display: block; font-weight: bold; color: var(--jp-content-font-color1, inherit); "
                   "border-left: 4px solid #6e7781; padding: 4px 8px; margin: 2px 0;} "
                   ".dockerlab-widget.jupyter-widgets-disconnected > * {filter: grayscale(1); pointer-events: none;} "
                   # one broken-link icon (the widget's own), not one per button, box and text inside it
                   ".dockerlab-widget.jupyter-widgets-disconnected .jupyter-widgets-disconnected::before {display: none;}")
KIT_CSS = FOCUS_CSS + " " + REFLOW_CSS + " " + DEAD_KERNEL_CSS


def focus_style():
    """An ipywidgets HTML holding :data:`KIT_CSS` (put it in a widget that has the class
    ``dockerlab-widget``): a 2 px focus ring in the text colour, 2 px off the button, on any button
    colour; rows that wrap at 200 % zoom (:data:`REFLOW_CSS`); the words a widget of a stopped kernel shows
    (:data:`DEAD_KERNEL_CSS`)."""
    import ipywidgets as W

    return W.HTML(f"<style>{KIT_CSS}</style>", layout=W.Layout(display="none"))


def table_html(columns, rows, *, caption: str = "") -> str:
    """A plain HTML table (header row, one row per item)."""
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)


def figure_html(png: bytes, alt: str, table=None, *, summary: str = "The numbers in this figure, as a table") -> str:
    """``<img alt>`` of the PNG, and, when given ``(columns, rows)``, a ``<details>`` with the table."""
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    html = (f"<figure class='dockerlab-figure' style='margin:0'><img src='{src}' alt='{escape(alt, quote=True)}' "
            "style='max-width:100%'>")
    if table is not None:
        columns, rows = table
        html += (f"<details><summary>{escape(summary)}</summary>"
                 f"{table_html(columns, rows, caption=alt.split('. ')[0])}</details>")
    return html + "</figure>"


class Figure:
    """A matplotlib figure with its alt text and its numbers; shown as HTML (img + table) or PNG."""

    def __init__(self, fig, alt: str, table=None, *, dpi: int = 80):
        self.fig, self.alt, self.table, self.dpi = fig, alt, table, dpi

    def png(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=self.dpi, bbox_inches="tight")
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = self.png()
        return {"text/html": figure_html(png, self.alt, self.table),
                "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": self.alt}

    def __repr__(self) -> str:
        return self.alt


def show(fig, alt: str, table=None) -> None:
    """Display ``fig`` with its alt text and table, then close it (pyplot shows it no second time)."""
    from IPython.display import display

    display(Figure(fig, alt, table))
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # a Figure made outside pyplot: nothing to close
        pass


class Announcer:
    """The text of a polite live region: a new text is said when it differs from the last one said
    and at least ``every`` seconds have passed since then (a monitor ticks each second; a screen
    reader should hear it every few seconds, not at each tick)."""

    def __init__(self, every: float = 5.0, clock=time.monotonic):
        self.every, self.clock = every, clock
        self.said = ""
        self._at = None

    def offer(self, text: str) -> str | None:
        """The text to put in the live region now, or None (unchanged, or too soon)."""
        now = self.clock()
        if text == self.said or (self._at is not None and now - self._at < self.every):
            return None
        self.said, self._at = text, now
        return text


def live_region_html(text: str) -> str:
    """A polite live region (role status), visually hidden: what a screen reader is told."""
    return f"<div role='status' aria-live='polite' style='{VISUALLY_HIDDEN}'>{escape(text)}</div>"
