"""PDF attachments that could do something when opened: JavaScript (/JS, /JavaScript) or a /Launch action.

Two readings, each enough to refuse a file:

- pypdf reads the file as a viewer does: every object its cross-reference tables name, those packed in
  object streams included (decoded whatever their filters, within pypdf's own limits on decompression),
  with the #xx escapes of names decoded (/J#61vaScript is /JavaScript);
- a scan of the raw bytes finds the same names wherever they are outside stream data, and inside the
  Flate-compressed object streams, also in objects no table names (which a viewer that repairs a damaged
  file could still find).

A file pypdf cannot read (damaged, or protected by a password), or that takes longer than READ_SECONDS to
check, could not be checked: it is refused too, never stored unchecked.
"""

import io
import re
import time
import zlib

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACTIVE = frozenset({"/JS", "/JavaScript", "/Launch"})
READ_SECONDS = 10
# Decompressed bytes of object streams the raw scan may make, all together: more is refused, not checked.
INFLATE_BUDGET = 50 * 1024 * 1024
INFLATE_CHUNK = 64 * 1024

# A name: a slash and the regular characters after it (PDF 32000-1, 7.2.2 and 7.3.5).
NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)")


class PdfNotChecked(Exception):
    """The file could not be read as a PDF, or not in time: whether it holds scripts is not known."""


def has_active_content(upload):
    """Whether the PDF holds JavaScript or a Launch action; PdfNotChecked when that cannot be told."""
    upload.seek(0)
    data = upload.read()  # at most ATTACHMENT_MAX_BYTES: the size was checked before
    upload.seek(0)
    deadline = time.monotonic() + READ_SECONDS
    return raw_scan_finds(data) or pypdf_finds(data, deadline)


def pypdf_finds(data, deadline):
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # opens without a password, or not at all
            raise PdfNotChecked("protected by a password")
        numbers = [(n, generation) for generation, table in reader.xref.items() for n in table]
        numbers += [(n, 0) for n in reader.xref_objStm]
        for number, generation in numbers:
            if time.monotonic() > deadline:
                raise PdfNotChecked("too slow")
            if holds_active_name(reader.get_object(IndirectObject(number, generation, reader))):
                return True
        return holds_active_name(reader.trailer)
    except PdfNotChecked:
        raise
    except Exception as error:  # whatever pypdf meets in a malformed file
        raise PdfNotChecked(type(error).__name__) from error


def holds_active_name(obj):
    """Whether an active name is a key or a value anywhere in the object, down its direct parts (the
    objects it refers to are read on their own)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, NameObject):
            if item in ACTIVE:
                return True
        elif isinstance(item, DictionaryObject):  # streams' dictionaries too
            stack.extend(item.keys())
            stack.extend(value for value in item.values() if not isinstance(value, IndirectObject))
        elif isinstance(item, ArrayObject):
            stack.extend(value for value in item if not isinstance(value, IndirectObject))
    return False


def raw_scan_finds(data):
    """Whether an active name appears outside stream data, or inside a Flate-compressed object stream."""
    budget = [INFLATE_BUDGET]
    position = 0
    while True:
        start = STREAM_START.search(data, position)
        if start is None:
            return names_active(data[position:])
        if names_active(data[position : start.start()]):
            return True
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        dictionary = data[max(data.rfind(b"obj", position, start.start()), position) : start.start()]
        names = {unescape(name) for name in NAME.findall(dictionary)}
        if {b"/ObjStm", b"/FlateDecode"} <= names and names_active(inflate(data[start.end() : end], budget)):
            return True
        if end == len(data):
            return False
        position = end + len(b"endstream")


def names_active(data):
    return any(unescape(name).decode("latin-1") in ACTIVE for name in NAME.findall(data))


def unescape(name):
    """A name with its #xx escapes decoded."""
    return ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), name)


def inflate(data, budget):
    """The Flate data decompressed, as far as it decompresses; PdfNotChecked past the budget (a list holding
    the bytes left, shared by the streams of one file)."""
    inflater = zlib.decompressobj()
    out = bytearray()
    for offset in range(0, len(data), INFLATE_CHUNK):
        try:
            out += inflater.decompress(data[offset : offset + INFLATE_CHUNK], budget[0] - len(out) + 1)
        except zlib.error:
            break  # damaged beyond here: what came out is scanned, and pypdf reads the file too
        if len(out) > budget[0] or inflater.unconsumed_tail:
            raise PdfNotChecked("too large once decompressed")
        if inflater.eof:
            break
    budget[0] -= len(out)
    return bytes(out)
