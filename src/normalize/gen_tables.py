#!/usr/bin/env python3
"""Generates src/normalize/tables.rs, the Unicode data the normalizer folds with.

Usage (from the repository root):

    pip download --no-deps confusable_homoglyphs==3.3.1 -d /tmp/ch
    unzip -o -q /tmp/ch/confusable_homoglyphs-3.3.1-py2.py3-none-any.whl -d /tmp/ch
    python3 src/normalize/gen_tables.py /tmp/ch/confusable_homoglyphs/confusables.json \
        > src/normalize/tables.rs

Sources and licences:

* Confusables: `confusables.json` shipped by the PyPI package
  `confusable_homoglyphs` 3.3.1 (MIT licence, (c) Victor Felder), which is
  a JSON rendering of the Unicode Consortium's UTS #39 `confusables.txt`
  (Unicode License v3).  unicode.org itself is not reachable from the build
  machines; PyPI is.  Each non-ASCII source character is kept only when its
  prototype is a single ASCII letter, digit, `@` or `.`, so ASCII is never
  folded into ASCII (the `m -> rn`, `0 -> O` trap of the UTS #39 skeleton).
* Latin letters that UTS #39 leaves out but a reader takes for a plain
  letter: small capitals (`ᴇ`, `ɴ`) and letters with a stroke, hook or bar
  that has no decomposition (`ł`, `đ`, `ø`), from their Unicode names
  (`LATIN SMALL LETTER L WITH STROKE` -> `l`).
* Decimal digits, digit-like symbols, format characters, character names:
  Python's `unicodedata` (the Unicode version is written into the output).
* Default_Ignorable_Code_Point: the ranges of DerivedCoreProperties.txt,
  copied below (they are stable by Unicode policy).
"""

import json
import re
import sys
import unicodedata as ud

# DerivedCoreProperties.txt, Default_Ignorable_Code_Point (Unicode 15).
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
]

TARGETS = set("abcdefghijklmnopqrstuvwxyz0123456789@.")


def is_mark(ch):
    return ud.category(ch).startswith("M")


def folded(ch):
    """What the Rust fold yields for `ch` before the confusable lookup."""
    out = []
    for c in ud.normalize("NFKD", ch):
        if is_mark(c):
            continue
        out.append(c.lower())
    return "".join(out)


def confusables(path):
    data = json.load(open(path, encoding="utf-8"))
    table = {}
    for target, entries in data.items():
        if len(target) != 1 or target.lower() not in TARGETS:
            continue
        for entry in entries:
            src = entry["c"].replace("\u200e", "")
            if len(src) != 1 or src.isascii():
                continue
            add(table, src, target)
    for src, entries in data.items():
        src = src.replace("\u200e", "")
        if len(src) != 1 or src.isascii():
            continue
        for entry in entries:
            target = entry["c"].replace("\u200e", "")
            if len(target) == 1 and target.lower() in TARGETS:
                add(table, src, target)
    return table


def add(table, src, target):
    cat = ud.category(src)
    if cat.startswith("M") or cat in ("Cf", "Cc", "Zs", "Zl", "Zp", "Nd"):
        return
    # A letter that merely looks like a digit (Cyrillic ze, Latin ezh) stays
    # a letter: folding it would turn Cyrillic or Greek prose into digit runs
    # that the phone and card detectors read.
    if cat.startswith("L") and target.isdigit():
        return
    t = target.lower()
    # The prototype of ASCII `I` is `l`; an uppercase look-alike of `I`
    # (Cyrillic I, Greek iota) reads as `i` once case-folded.
    if t == "l" and src.lower() != src:
        t = "i"
    # Already folded by NFKD + mark stripping + lowercasing: no entry needed.
    if folded(src) == t:
        return
    table.setdefault(src, t)


LATIN_NAME = re.compile(
    r"^LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .*)?$"
)


def latin_letters(table):
    for cp in range(0x80, 0x20000):
        ch = chr(cp)
        m = LATIN_NAME.match(ud.name(ch, ""))
        if not m or ch in table or not ud.category(ch).startswith("L"):
            continue
        # Digraphs (`LETTER D WITH SMALL LETTER Z`) are two letters.
        if " WITH " in m.group(0) and "LETTER" in m.group(0).split(" WITH ", 1)[1]:
            continue
        t = m.group(1).lower()
        if folded(ch) == t:
            continue
        table[ch] = t


def decimal_zeros():
    zeros = []
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if ud.category(ch) != "Nd" or ud.decimal(ch) != 0:
            continue
        run = [chr(cp + i) for i in range(10)]
        assert [ud.decimal(c, -1) for c in run] == list(range(10)), hex(cp)
        if ud.normalize("NFKD", ch) == "0":
            continue
        zeros.append(cp)
    return zeros


def digit_symbols():
    out = []
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if ud.category(ch) != "No":
            continue
        name = ud.name(ch, "")
        if "FRACTION" in name:
            continue
        n = ud.numeric(ch, None)
        if n is None or n != int(n) or not 0 <= n <= 20:
            continue
        if ud.digit(ch, None) is None and "CIRCLED" not in name:
            continue
        nf = "".join(c for c in ud.normalize("NFKD", ch) if c.isascii() and c.isdigit())
        if nf:
            continue
        out.append((cp, str(int(n))))
    # KEYCAP TEN is an emoji with no numeric value in the UCD.
    out.append((0x1F51F, "10"))
    return sorted(out)


def ignorable_ranges():
    cps = set()
    for lo, hi in DEFAULT_IGNORABLE:
        cps.update(range(lo, hi + 1))
    for cp in range(0x80, 0x110000):
        if ud.category(chr(cp)) == "Cf":
            cps.add(cp)
    cps = {c for c in cps if not chr(c).isspace()}
    ranges = []
    for cp in sorted(cps):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def rust_char(cp):
    return "'\\u{%04X}'" % cp


def main():
    table = confusables(sys.argv[1])
    latin_letters(table)
    w = sys.stdout.write
    w("// @generated by src/normalize/gen_tables.py; do not edit by hand.\n")
    w("// Unicode data: Python unicodedata %s; confusables: confusable_homoglyphs 3.3.1\n" % ud.unidata_version)
    w("// (MIT) rendering of UTS #39 confusables.txt (Unicode License v3).\n\n")
    w("/// Non-ASCII characters and the single lowercase ASCII letter, digit, `@` or `.`\n")
    w("/// they are confusable with (UTS #39, plus Latin small capitals and letters\n")
    w("/// with undecomposable strokes and hooks), sorted by character.\n")
    w("pub(super) static CONFUSABLES: &[(char, u8)] = &[\n")
    for src in sorted(table):
        w("    (%s, b'%s'),\n" % (rust_char(ord(src)), table[src]))
    w("];\n\n")
    w("/// The zero of every run of ten Unicode decimal digits (General_Category Nd)\n")
    w("/// that NFKD does not already fold to ASCII, sorted.\n")
    w("pub(super) static DECIMAL_ZEROS: &[u32] = &[\n")
    for cp in decimal_zeros():
        w("    0x%04X,\n" % cp)
    w("];\n\n")
    w("/// Digit-like symbols with no ASCII decomposition (dingbat, double and\n")
    w("/// negative circled numbers, keycap ten) and the ASCII digits they stand for.\n")
    w("pub(super) static DIGIT_SYMBOLS: &[(char, &str)] = &[\n")
    for cp, s in digit_symbols():
        w("    (%s, \"%s\"),\n" % (rust_char(cp), s))
    w("];\n\n")
    w("/// Inclusive ranges of characters that render as nothing: Default_Ignorable_Code_Point\n")
    w("/// and General_Category Cf (zero-width, bidi controls, variation selectors, tags).\n")
    w("pub(super) static IGNORABLE: &[(char, char)] = &[\n")
    for lo, hi in ignorable_ranges():
        w("    (%s, %s),\n" % (rust_char(lo), rust_char(hi)))
    w("];\n")


if __name__ == "__main__":
    main()
