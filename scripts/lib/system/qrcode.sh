#!/usr/bin/env bash
# shellcheck shell=bash
#
# Checks of the Web block's QR code encoder against tools nobody here wrote: segno (a pure-Python
# ISO/IEC 18004 encoder) must draw the same module matrix for the same text, version, level and mask,
# across versions 1-40, levels L/M/Q/H and masks 0-7; zxing-cpp (with Pillow) must read our PNGs back as
# the exact text, in Georgian, Korean, URLs and long strings. The work is in scripts/interop/qrcode_check.py,
# which drives the hidden `civitas qrcode --batch`. Needs no node and no database.
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, WORK, ROOT, BINARY) it uses.
#
# Tunables: QRCODE_INTEROP_PYTHON (default $ROOT/.venv/bin/python).

qrcode_tests() {
    local python="${QRCODE_INTEROP_PYTHON:-$ROOT/.venv/bin/python}" dir="$WORK/qrcode"
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! "$python" -c 'import segno, zxingcpp, PIL' >"$dir/import.out" 2>&1; then
        fail "segno, zxing-cpp and Pillow are installed for the QR code checks" "$(tail -n 3 "$dir/import.out")"
        return
    fi
    local text="https://civitas.ge/verify/poa/2026-000417"
    if "${CLEAN_ENV[@]}" "$BINARY" qrcode --text "$text" --level Q --format png --scale 4 \
        --out "$dir/one.png" >"$dir/one.out" 2>&1 &&
        "$python" - "$dir/one.png" "$text" <<'PY' >>"$dir/one.out" 2>&1; then
import sys
import zxingcpp
from PIL import Image
found = zxingcpp.read_barcode(Image.open(sys.argv[1]).convert("L"))
assert found is not None and found.text == sys.argv[2] and found.ec_level == "Q", found
PY
        pass "civitas qrcode --format png writes a PNG file that zxing-cpp reads back"
    else
        fail "civitas qrcode --format png writes a PNG file that zxing-cpp reads back" "$(tail -n 5 "$dir/one.out")"
    fi
    local err="$dir/too-long.err" rc=0
    "${CLEAN_ENV[@]}" "$BINARY" qrcode --text "$(head -c 3000 /dev/zero | tr '\0' 'x')" --level H \
        >/dev/null 2>"$err" || rc=$?
    if [[ $rc -ne 0 ]] && grep -q 'dataTooLong' "$err" && ! grep -q 'xxxxxxxx' "$err" &&
        ! grep -q -E '^Fatal error|Stack dump' "$err"; then
        pass "civitas qrcode refuses a text too long for version 40 at H, without echoing it"
    else
        fail "civitas qrcode refuses a text too long for version 40 at H, without echoing it" \
            "exit status $rc" "$(head -c 300 "$err")"
    fi
    if "$python" "$ROOT/scripts/interop/qrcode_check.py" "$BINARY" >"$dir/check.out" 2>&1; then
        pass "segno and zxing-cpp agree with our QR codes ($(grep -c '^PASS' "$dir/check.out") checks)"
    else
        fail "segno and zxing-cpp agree with our QR codes" "$(grep -v '^PASS' "$dir/check.out" | head -n 30)"
    fi
}
