"""AI labelling: an XMP packet with the IPTC ``DigitalSourceType`` in every exported image.

IPTC's digital source type vocabulary (https://cv.iptc.org/newscodes/digitalsourcetype/)
is what platforms read to label synthetic media: ``trainedAlgorithmicMedia`` for an
image a model made, ``compositeWithTrainedAlgorithmicMedia`` for a composite that
includes such an image. The packet is embedded where XMP lives in each format (XMP
specification part 3): a PNG ``iTXt`` chunk with keyword ``XML:com.adobe.xmp`` right after
``IHDR``, or a JPEG ``APP1`` segment with the ``http://ns.adobe.com/xap/1.0/`` header right
after ``SOI``/``APP0``. The pixels are untouched: chunks are spliced into the file bytes,
so nothing is re-encoded and JPEGs lose no quality. An existing XMP packet is replaced.
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.sax.saxutils import escape, quoteattr

from studio.core.errors import ExportError

IPTC_SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = "trainedAlgorithmicMedia"
COMPOSITE = "compositeWithTrainedAlgorithmicMedia"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
_JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_JPEG_MAX_SEGMENT = 65533  # a JPEG segment length is 16 bits and counts its own 2 bytes
_SOURCE_TYPE_PATTERN = re.compile(rb"Iptc4xmpExt:DigitalSourceType(?:=\"([^\"]+)\"|>([^<]+)<)")


def source_type_uri(name: str) -> str:
    return IPTC_SOURCE_TYPES + name


def xmp_packet(source_type: str, *, creator_tool: str, description: str) -> bytes:
    """An XMP packet stating how the image was made (deterministic: no timestamps)."""
    body = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f" Iptc4xmpExt:DigitalSourceType={quoteattr(source_type_uri(source_type))}"
        f" xmp:CreatorTool={quoteattr(creator_tool)}>"
        "<dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{escape(description)}</rdf:li>'
        "</rdf:Alt></dc:description>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' + body + '<?xpacket end="r"?>'
    ).encode()


def embed_xmp(data: bytes, media_type: str, packet: bytes) -> bytes:
    """``data`` with ``packet`` as its only XMP packet."""
    if media_type == "image/png":
        return _embed_png(data, packet)
    if media_type == "image/jpeg":
        return _embed_jpeg(data, packet)
    raise ExportError(f"Cannot label a {media_type} file: only PNG and JPEG creatives export.")


def read_source_type(data: bytes, media_type: str) -> str | None:
    """The DigitalSourceType name (e.g. ``trainedAlgorithmicMedia``) in an image's XMP."""
    packet = _read_png_xmp(data) if media_type == "image/png" else _read_jpeg_xmp(data)
    if packet is None:
        return None
    match = _SOURCE_TYPE_PATTERN.search(packet)
    if not match:
        return None
    uri = (match.group(1) or match.group(2)).decode("utf-8", "replace").strip()
    return uri.removeprefix(IPTC_SOURCE_TYPES)


# --- PNG ------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(_PNG_SIGNATURE):
        raise ExportError("Not a PNG file (bad signature).")
    chunks, offset = [], len(_PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            raise ExportError("Truncated PNG file.")
        chunks.append((kind, data[offset:end]))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR":
        raise ExportError("Malformed PNG file (IHDR is not the first chunk).")
    return chunks


def _is_png_xmp(kind: bytes, raw: bytes) -> bool:
    return kind == b"iTXt" and raw[8:].startswith(_PNG_XMP_KEYWORD + b"\x00")


def _embed_png(data: bytes, packet: bytes) -> bytes:
    chunks = _png_chunks(data)
    # keyword, NUL, compression flag 0, method 0, empty language tag, empty translation
    payload = _PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet
    itxt = struct.pack(">I", len(payload)) + b"iTXt" + payload
    itxt += struct.pack(">I", zlib.crc32(b"iTXt" + payload) & 0xFFFFFFFF)
    kept = [raw for kind, raw in chunks[1:] if not _is_png_xmp(kind, raw)]
    return b"".join([_PNG_SIGNATURE, chunks[0][1], itxt, *kept])


def _read_png_xmp(data: bytes) -> bytes | None:
    for kind, raw in _png_chunks(data):
        if _is_png_xmp(kind, raw):
            text = raw[8:-4]
            keyword_end = text.index(b"\x00")
            compressed = text[keyword_end + 1]
            rest = text[keyword_end + 3 :]
            rest = rest[rest.index(b"\x00") + 1 :]  # language tag
            rest = rest[rest.index(b"\x00") + 1 :]  # translated keyword
            return zlib.decompress(rest) if compressed else rest
    return None


# --- JPEG -----------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Marker segments before the scan data, and the rest of the file (from SOS on)."""
    if not data.startswith(b"\xff\xd8"):
        raise ExportError("Not a JPEG file (missing SOI marker).")
    segments, offset = [], 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            raise ExportError("Malformed JPEG file (expected a marker).")
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: the rest is entropy-coded data
            return segments, data[offset:]
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        segments.append((marker, data[offset : offset + 2 + length]))
        offset += 2 + length
    raise ExportError("Truncated JPEG file (no image data).")


def _embed_jpeg(data: bytes, packet: bytes) -> bytes:
    payload = _JPEG_XMP_HEADER + packet
    if len(payload) + 2 > _JPEG_MAX_SEGMENT:
        raise ExportError("XMP packet too large for one JPEG APP1 segment.")
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    segments, scan = _jpeg_segments(data)
    kept = [(m, raw) for m, raw in segments if not (m == 0xE1 and _is_jpeg_xmp(raw))]
    # JFIF (APP0) and Exif (APP1) must come first after SOI; XMP follows them
    lead = 0
    while lead < len(kept) and (
        kept[lead][0] == 0xE0 or (kept[lead][0] == 0xE1 and kept[lead][1][4:10] == b"Exif\0\0")
    ):
        lead += 1
    head = [raw for _, raw in kept[:lead]]
    body = [raw for _, raw in kept[lead:]]
    return b"".join([b"\xff\xd8", *head, app1, *body, scan])


def _is_jpeg_xmp(raw: bytes) -> bool:
    return raw[4:].startswith(_JPEG_XMP_HEADER)


def _read_jpeg_xmp(data: bytes) -> bytes | None:
    segments, _ = _jpeg_segments(data)
    for marker, raw in segments:
        if marker == 0xE1 and _is_jpeg_xmp(raw):
            return raw[4 + len(_JPEG_XMP_HEADER) :]
    return None
