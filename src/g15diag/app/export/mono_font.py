"""The shipped DejaVu Sans Mono, cut down to the characters a sheet shows in it, as a CSS
``@font-face`` a self-contained HTML sheet carries: 0/O, 1/I/l, 5/S and 8/B differ in this
face at a glance, whatever fonts the computer that prints the sheet has."""

from __future__ import annotations

import base64
import functools
import importlib
import io
from importlib import resources

FAMILY = "G15 Mono"


@functools.cache
def font_face(text: str) -> str:
    """``@font-face`` for :data:`FAMILY` holding the glyphs of ``text`` (a data: URL)."""
    # fpdf2's own dependency, untyped: looked up, not imported statically
    subset = importlib.import_module("fontTools.subset")
    ttfont = importlib.import_module("fontTools.ttLib").TTFont

    source = resources.files("g15diag.app.export").joinpath("fonts", "DejaVuSansMono.ttf")
    font = ttfont(io.BytesIO(source.read_bytes()), recalcTimestamp=False)  # same bytes each time
    options = subset.Options()
    options.name_IDs = []  # the glyphs only: no names, no hinting
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))) or " ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; '
        f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
    )
