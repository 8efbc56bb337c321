#!/usr/bin/env python3
"""Regenerates the font subsets in assets/fonts/ that plancast embeds for its charts.

Sources (Debian bookworm packages, installed only to obtain the files):
  fonts-dejavu-core   /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf, DejaVuSans-Bold.ttf
  fonts-wqy-microhei  /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (font 0)

Run:  apt-get install -y fonts-dejavu-core fonts-wqy-microhei
      pip install fonttools
      python3 tools/subset_fonts.py
See docs/fonts.md.
"""
from pathlib import Path
from fontTools.ttLib import TTFont, TTCollection
from fontTools import subset

OUT = Path(__file__).resolve().parent.parent / "assets" / "fonts"

def latin_codepoints():
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    cps |= set(range(0x2010, 0x2030))  # dashes, quotes, bullets, ellipsis, per mille
    cps |= {0x2030, 0x2032, 0x2033, 0x2039, 0x203A, 0x20AC, 0x2122, 0x2190, 0x2191, 0x2192,
            0x2193, 0x2212, 0x2264, 0x2265, 0x2248, 0x2260, 0x00B1, 0x00D7, 0x221E, 0x2206}
    return cps

def gb2312_codepoints():
    """ASCII, every GB2312 character (symbols, punctuation and the 6763 hanzi), and the
    Latin extras above."""
    cps = set(range(0x20, 0x7F))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            cps.add(ord(ch))
    return cps | latin_codepoints()

def make_subset(font, codepoints, out_path):
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_legacy = True
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.save(out_path)
    print(f"{out_path.name}: {out_path.stat().st_size} bytes")

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]:
        make_subset(TTFont(dejavu / name), latin_codepoints(), OUT / name)
    wqy = TTCollection("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").fonts[0]
    make_subset(wqy, gb2312_codepoints(), OUT / "wqy-microhei-gb2312.ttf")

if __name__ == "__main__":
    main()
