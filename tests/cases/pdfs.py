"""Small PDF files built byte by byte for the attachment tests: well-formed, with or without scripts."""

import zlib

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def build_pdf(*objects, compressed=(), object_stream_filter=b"/FlateDecode", orphans=(), padding=0):
    """A PDF whose objects 1, 2, 3... are the given bodies (1 the catalog).

    The objects numbered in `compressed` go in an object stream (Flate-compressed, or with another filter),
    and the cross-reference table is then a stream, as PDF 1.5 writes it. `orphans`: whole objects written
    after the others but named in no table. `padding` bytes of comment make the file larger.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"0" * padding + b"\n"
    count = len(objects)
    offsets = {}
    for number, body in enumerate(objects, start=1):
        if number not in compressed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for raw in orphans:
        out += raw
    if not compressed:
        table = b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, count + 1))
        start = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n%s" % (count + 1, table)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 1, start)
        return bytes(out)
    stream_number, xref_number = count + 1, count + 2
    offsets[stream_number] = len(out)
    out += object_stream(stream_number, [(n, objects[n - 1]) for n in compressed], object_stream_filter)
    entries = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in compressed:
            entries.append(b"\x02" + stream_number.to_bytes(4) + compressed.index(number).to_bytes(2))
        elif number == xref_number:
            entries.append(b"\x01" + len(out).to_bytes(4) + b"\x00\x00")
        else:
            entries.append(b"\x01" + offsets[number].to_bytes(4) + b"\x00\x00")
    data = b"".join(entries)
    start = len(out)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        xref_number + 1,
        len(data),
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def object_stream(number, members, filter_name=b"/FlateDecode"):
    """An object stream (/Type /ObjStm) holding the (number, body) members."""
    bodies, header, position = b"", b"", 0
    for member, body in members:
        header += b"%d %d " % (member, position)
        bodies += body + b"\n"
        position = len(bodies)
    data = header + bodies
    if filter_name == b"/FlateDecode":
        data = zlib.compress(data)
    elif filter_name == b"[/ASCIIHexDecode /FlateDecode]":
        data = zlib.compress(data).hex().encode() + b">"
    return b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(members),
        len(header),
        filter_name,
        len(data),
        data,
    )


CLEAN = build_pdf(CATALOG, PAGES, PAGE)


def pdf_of_size(size):
    """A clean PDF of exactly size bytes (a long comment fills it)."""
    padding = 1
    while len(pdf := build_pdf(CATALOG, PAGES, PAGE, padding=padding)) != size:
        padding += size - len(pdf)  # twice at most: the offset after "startxref" may grow by a digit
    return pdf
