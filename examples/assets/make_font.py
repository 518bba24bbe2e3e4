#!/usr/bin/env python3
"""Writes plot-sans.ttf, the font the examples draw their plots with:
DejaVu Sans cut down to printable ASCII (about 20 KB instead of 760 KB).

The Bitstream Vera licence (which covers DejaVu Sans) allows modified
copies only under a name without "Bitstream" or "Vera", so the subset is
renamed "Jaxide Plot Sans". See LICENSE-DejaVu.txt.

Usage: pip install fonttools; python3 make_font.py [path/to/DejaVuSans.ttf]
(default: Debian's /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf).
"""
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OUT = os.path.join(HERE, "plot-sans.ttf")

opts = subset.Options()
opts.layout_features = []
opts.hinting = False
opts.name_IDs = ["*"]
font = TTFont(SRC)
sub = subset.Subsetter(opts)
sub.populate(unicodes=range(0x20, 0x7F))
sub.subset(font)
for rec in font["name"].names:
    if rec.nameID in (1, 3, 4, 6, 16):
        text = "JaxidePlotSans" if rec.nameID == 6 else "Jaxide Plot Sans"
        rec.string = text
font.save(OUT)
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
