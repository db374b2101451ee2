#!/usr/bin/env python3
"""Checks Civitas's QR codes against tools nobody here wrote (scripts/lib/system/qrcode.sh).

    qrcode_check.py CIVITAS_BINARY

1. segno (a pure-Python ISO/IEC 18004 encoder): for texts of every mode and of many scripts, sized to land
   on each version 1-40 at each level L, M, Q, H and forced to each mask 0-7, `civitas qrcode --batch` must
   choose the same smallest version as segno and draw exactly segno's module matrix. Some are also forced
   to a larger version, and some keep the mask our encoder chose, which segno must then reproduce.
2. zxing-cpp (a C++ decoder) with Pillow: our PNGs, with the version and mask our encoder chose, must read
   back as the exact text (Georgian, Korean, URLs, long strings), and Pillow must see a 1-bit image of the
   right size. Our SVG must be well-formed XML whose one path covers exactly the dark modules.
3. Bad requests get their error codes: empty text, text beyond version 40 at H, bad scales.

Prints a PASS or FAIL line per group of checks and exits non-zero when any failed.
"""
import base64
import io
import json
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import segno
import zxingcpp
from PIL import Image
from segno import consts

# segno 1.6.6 adds a whole 0x00 codeword when the data bit stream already ends on a codeword boundary
# (always so in byte mode): ISO/IEC 18004:2015, 7.4.10, adds zero bits only "if the bit stream length is
# such that it does not end at a codeword boundary", and so do we. Both symbols decode the same, but their
# codewords differ, so segno's padding step is corrected here, and only it, before comparing matrices.
if segno.__version__ == "1.6.6":
    from segno import encoder as _segno_encoder

    def _padding_bits(buff, version, length):
        if version not in (consts.VERSION_M1, consts.VERSION_M3):
            buff.extend([0] * ((8 - length % 8) % 8))

    _segno_encoder.write_padding_bits = _padding_bits

BINARY = sys.argv[1]
RNG = random.Random(18004)
LEVELS = "LMQH"
SEGNO_LEVEL = {"L": consts.ERROR_LEVEL_L, "M": consts.ERROR_LEVEL_M, "Q": consts.ERROR_LEVEL_Q,
               "H": consts.ERROR_LEVEL_H}
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
failures = 0


def report(ok, name, details=()):
    global failures
    print(("PASS: " if ok else "FAIL: ") + name)
    if not ok:
        failures += 1
        for line in list(details)[:10]:
            print("      " + line)


def ask(requests):
    """One `civitas qrcode --batch` run: a JSON line in, a JSON line out, for every request."""
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
    done = subprocess.run([BINARY, "qrcode", "--batch"], input=lines.encode(), capture_output=True,
                          timeout=1800, check=True)
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(answers) == len(requests), f"{len(answers)} answers to {len(requests)} requests"
    return answers


# Text families: how each is made, in which mode it lands, and how its length is counted (the unit of the
# character count indicator: characters, or UTF-8 bytes in byte mode).
def digits(n):
    return "".join(RNG.choice("0123456789") for _ in range(n))


def alphanumeric(n):
    prefix = "HTTPS://CIVITAS.GE/VERIFY/"
    return (prefix + "".join(RNG.choice(ALPHANUMERIC) for _ in range(n)))[:n]


def ascii_url(n):
    prefix = "https://civitas.ge/verify/poa/"
    return (prefix + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789-_?=&") for _ in range(n)))[:n]


def georgian(n):
    return "ქ" + "".join(RNG.choice("აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ ") for _ in range(n))


def korean(n):
    return "한" + "".join(RNG.choice([chr(RNG.randrange(0xAC00, 0xD7A4)), " "]) for _ in range(n))


def mixed(n):
    return "".join(RNG.choice(["a", "é", "ქ", "한", "€", "\U0001F510", "\n", "\"", "<", "&"]) for _ in range(n))


FAMILIES = [("numeric", digits), ("alphanumeric", alphanumeric), ("byte", ascii_url), ("byte", georgian),
            ("byte", korean), ("byte", mixed)]


def count_bits(mode, version):
    column = 0 if version <= 9 else 1 if version <= 26 else 2
    return {"numeric": (10, 12, 14), "alphanumeric": (9, 11, 13), "byte": (8, 16, 16)}[mode][column]


def data_bits(mode, units):
    if mode == "numeric":
        return 10 * (units // 3) + (0, 4, 7)[units % 3]
    if mode == "alphanumeric":
        return 11 * (units // 2) + 6 * (units % 2)
    return 8 * units


def units(mode, text):
    return len(text.encode()) if mode == "byte" else len(text)


def capacity(mode, version, level):
    """The most units that fit, from segno's table of data bits per version and level."""
    bits = consts.SYMBOL_CAPACITY[version][SEGNO_LEVEL[level]]
    n = 0
    while 4 + count_bits(mode, version) + data_bits(mode, n + 1) <= bits:
        n += 1
    return n


def text_for(family, version, level):
    """A text of the family whose smallest version at the level is `version`."""
    mode, make = family
    low = capacity(mode, version - 1, level) if version > 1 else 0
    high = capacity(mode, version, level)
    target = RNG.randint(low + 1, high)
    text = make(target)
    while units(mode, text) > high:
        text = text[:-1]
    while units(mode, text) <= low:
        text += {"numeric": "7", "alphanumeric": "Z"}.get(mode, "a")
    return mode, text


def segno_rows(text, mode, level, version=None, mask=None):
    code = segno.make_qr(text, error=level, version=version, mask=mask, mode=mode,
                         encoding="utf-8" if mode == "byte" else None, boost_error=False)
    return code, ["".join("1" if bit else "0" for bit in row) for row in code.matrix]


def compare_with_segno(cases, answers, name):
    problems = []
    for (text, mode, level, version, mask, expected_version), answer in zip(cases, answers):
        label = f"{mode} {len(text)} chars at {level}, mask {mask}"
        if "error" in answer:
            problems.append(f"{label}: civitas answered {answer['error']}")
            continue
        code, rows = segno_rows(text, answer["mode"], level, version=version, mask=answer["mask"])
        if answer["mode"] != mode:
            problems.append(f"{label}: civitas chose mode {answer['mode']}")
        if expected_version is not None and answer["version"] != expected_version:
            problems.append(f"{label}: civitas chose version {answer['version']}, expected {expected_version}")
        if answer["version"] != code.version:
            problems.append(f"{label}: version {answer['version']}, segno {code.version}")
        elif answer["rows"] != rows:
            wrong = sum(a != b for r, s in zip(answer["rows"], rows) for a, b in zip(r, s))
            problems.append(f"{label}: version {code.version}: {wrong} modules differ from segno's")
    report(not problems, f"{name} ({len(cases)} symbols)", problems)


# 1. Every version, level and mask against segno.
cases = []
for version in range(1, 41):
    for level_index, level in enumerate(LEVELS):
        for mask in range(8):
            family = FAMILIES[(version + level_index * 3 + mask) % len(FAMILIES)]
            mode, text = text_for(family, version, level)
            cases.append((text, mode, level, None, mask, version))
answers = ask([{"text": t, "level": lv, "mask": m} for t, _, lv, _, m, _ in cases])
compare_with_segno(cases, answers, "segno: the smallest version and the exact matrix, versions 1-40 x L/M/Q/H x masks 0-7")

# Larger versions than needed, and the masks our encoder chooses.
cases = []
for index in range(48):
    family = FAMILIES[index % len(FAMILIES)]
    level = LEVELS[index % 4]
    small = RNG.randint(1, 20)
    mode, text = text_for(family, small, level)
    cases.append((text, mode, level, RNG.randint(small, 40), RNG.randrange(8), None))
answers = ask([{"text": t, "level": lv, "version": v, "mask": m} for t, _, lv, v, m, _ in cases])
compare_with_segno(cases, answers, "segno: the exact matrix when a larger version is asked for")

cases = []
for index in range(60):
    family = FAMILIES[index % len(FAMILIES)]
    level = LEVELS[index % 4]
    mode, text = text_for(family, RNG.choice([1, 2, 3, 5, 7, 10, 14, 20, 27, 33, 40]), level)
    cases.append((text, mode, level, None, None, None))
answers = ask([{"text": t, "level": lv} for t, _, lv, _, _, _ in cases])
compare_with_segno(cases, answers, "segno: the exact matrix with the mask our encoder chose")
masks = sorted({a["mask"] for a in answers if "mask" in a})
report(len(masks) >= 4, f"our encoder's mask choice varies with the data (masks used: {masks})")

# 2. zxing-cpp reads our PNGs back.
texts = [
    ("M", "https://civitas.ge/verify/poa/2026-000417?lang=ka"),
    ("M", "HTTPS://CIVITAS.GE/V/7F3K9Q2M"),
    ("L", "01234567"),
    ("Q", "მინდობილობა: თამარ ბერიძე ენდობა გიორგი კაპანაძეს ქონების გაყიდვას"),
    ("H", "위임장 확인: 김민준 님이 이서연 님에게 부동산 매도를 위임합니다"),
    ("M", "Ünïcödé ✓ 🔐 <tag> & \"quotes\" \n second line"),
    ("L", "გამარჯობა, 안녕하세요, hello " * 40),
    ("M", "https://civitas.ge/documents/" + "x" * 1500),
    ("H", "".join(chr(RNG.randrange(0xAC00, 0xD7A4)) for _ in range(400))),
    ("L", "".join(RNG.choice("0123456789") for _ in range(7089))),
    ("Q", "".join(RNG.choice(ALPHANUMERIC) for _ in range(1600))),
]
requests = [{"text": t, "level": lv, "png": True, "scale": 3 if len(t.encode()) > 1000 else 5, "svg": True,
             "title": "Scan <me> & verify"} for lv, t in texts]
answers = ask(requests)
problems = []
svg_problems = []
for (level, text), request, answer in zip(texts, requests, answers):
    label = f"{len(text)} chars at {level}"
    if "error" in answer:
        problems.append(f"{label}: civitas answered {answer['error']}")
        continue
    image = Image.open(io.BytesIO(base64.b64decode(answer["png"])))
    side = (answer["size"] + 8) * request["scale"]
    if image.mode != "1" or image.size != (side, side):
        problems.append(f"{label}: Pillow sees mode {image.mode}, size {image.size}, expected 1 and {side}")
    image.load()
    found = zxingcpp.read_barcode(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    if found is None:
        problems.append(f"{label}: version {answer['version']}: zxing-cpp found no QR code")
    elif found.text != text:
        problems.append(f"{label}: zxing-cpp read {found.text[:40]!r}")
    elif found.ec_level != level:
        problems.append(f"{label}: zxing-cpp reports level {found.ec_level}")
    # The SVG: well-formed, titled, and its one path is the dark modules.
    try:
        root = ElementTree.fromstring(answer["svg"])
        ns = "{http://www.w3.org/2000/svg}"
        paths = root.findall(f"{ns}path")
        title = root.find(f"{ns}title")
        drawn = set()
        for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", paths[0].get("d")):
            drawn.update((int(x) - 4 + i, int(y) - 4) for i in range(int(run)))
        dark = {(x, y) for y, row in enumerate(answer["rows"]) for x, bit in enumerate(row) if bit == "1"}
        if len(paths) != 1 or title is None or title.text != "Scan <me> & verify" or drawn != dark \
                or root.get("role") != "img":
            svg_problems.append(f"{label}: the SVG does not draw the matrix with its title")
    except ElementTree.ParseError as error:
        svg_problems.append(f"{label}: the SVG is not XML: {error}")
versions = sorted({a.get("version") for a in answers if "version" in a})
report(not problems, f"zxing-cpp reads back the exact text from our PNGs ({len(texts)} texts, versions {versions})",
       problems)
report(not svg_problems, "our SVGs are XML whose one path is exactly the dark modules", svg_problems)

# 3. Bad input gets a clear error code.
bad = [({"text": "", "level": "M"}, "emptyText"),
       ({"text": "a" * 1274, "level": "H"}, "dataTooLong"),
       ({"text": "a" * 20, "level": "M", "version": 1}, "dataTooLong"),
       ({"text": "a", "level": "M", "version": 41}, "invalidVersion"),
       ({"text": "a", "level": "M", "mask": 8}, "invalidMask"),
       ({"text": "a", "level": "M", "png": True, "scale": 0}, "invalidScale"),
       ({"text": "a", "level": "M", "png": True, "scale": 33}, "invalidScale")]
answers = ask([request for request, _ in bad])
problems = [f"{json.dumps(r)[:60]}: {a}" for (r, code), a in zip(bad, answers) if a.get("error") != code]
report(not problems, "bad requests get their error codes (empty, too long for version 40 at H, bad version, "
       "mask, scale)", problems)

print(f"qrcode_check: {failures} failed")
sys.exit(1 if failures else 0)
