#!/usr/bin/env python3
"""English-only ICU data for the image's static binary.

Debian's static Foundation (lib_FoundationICU.a) carries all of ICU's data, 32.6 MB of 4,727 items: converter
tables, collation, break dictionaries, transliterators and the names, currencies and units of about 800 locales.
The box speaks English, compares strings without a locale and converts only UTF-8/16 and Latin-1 (built into
ICU's code). This keeps what ICU needs to open `root`, `en`, `en_US` and `en_US_POSIX` in every data tree, and
every item that is not one locale's data (time zones, plural rules, likely subtags, normalisation, the root
collation's table, break rules, converter aliases), and drops the rest, as Node.js's "small-icu" build does.

Reads and writes ICU's common data package format (`CmnD`): a data header, then a table of contents (item
count, then name and data offsets from the table's start, sorted by name), the item names, and the items, each
on a 16-byte boundary. The package is rewritten here because icupkg refuses this one: its names take 108 KB,
more than icupkg's 100 KB name store.

Usage: trim-icu-data.py IN.dat OUT.dat
"""

import re
import struct
import sys

# Locale data kept in every tree (the top tree, coll/, zone/, curr/, lang/, region/, unit/, rbnf/, brkitr/).
KEEP_LOCALES = {"root", "en", "en_US", "en_US_POSIX", "res_index", "pool"}
# A locale's data item: language, then optional script, region or variant parts (af, en_US, sr_Latn_BA, es_419,
# de__PHONEBOOK).
LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")
# Whole kinds of item the box never uses: converter tables (other than the built-in UTF and Latin-1 ones),
# dictionaries for line breaking in Thai, Lao, Khmer, Burmese and CJK, and transliterators.
DROP = re.compile(r"(\.cnv$|^brkitr/.*\.dict$|^translit/)")


def keep(path: str) -> bool:
    """Whether the item at PATH (without the package prefix, e.g. "coll/de.res") stays."""
    if DROP.search(path):
        return False
    name = path.rsplit("/", 1)[-1]
    if LOCALE.match(name):
        return name[: -len(".res")] in KEEP_LOCALES
    return True


def trim(data: bytes) -> tuple[bytes, int, int]:
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        sys.exit("trim-icu-data: not an ICU common data package (little-endian CmnD)")
    toc = data[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(entries):
        name = toc[name_offset:toc.index(b"\0", name_offset)].decode("ascii")
        end = entries[i + 1][1] if i + 1 < count else len(toc)
        items.append((name, toc[data_offset:end]))
    prefix = items[0][0].split("/", 1)[0] + "/"
    kept = [(name, item) for name, item in items if keep(name[len(prefix):])]

    names = b"".join(name.encode("ascii") + b"\0" for name, _ in kept)
    table_size = 4 + 8 * len(kept)
    first_item = (table_size + len(names) + 15) & ~15
    offsets, body, position = [], bytearray(), first_item
    name_position = table_size
    for name, item in kept:
        offsets.append((name_position, position))
        name_position += len(name) + 1
        padded = item + b"\0" * (-len(item) % 16)
        body += padded
        position += len(padded)
    out = bytearray(data[:header_size])
    out += struct.pack("<I", len(kept))
    for name_offset, data_offset in offsets:
        out += struct.pack("<II", name_offset, data_offset)
    out += names
    out += b"\0" * (first_item - table_size - len(names))
    out += body
    return bytes(out), count, len(kept)


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(__doc__.rsplit("Usage: ", 1)[1].strip())
    with open(sys.argv[1], "rb") as handle:
        data = handle.read()
    out, before, after = trim(data)
    with open(sys.argv[2], "wb") as handle:
        handle.write(out)
    print(f"trim-icu-data: {len(data) / 1e6:.1f} MB of {before} items -> {len(out) / 1e6:.1f} MB of {after} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
