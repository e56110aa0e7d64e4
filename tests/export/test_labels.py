"""IPTC DigitalSourceType in XMP: embedded without touching pixels, readable by Pillow."""

from __future__ import annotations

import io

import pytest
from bundle_factory import image_bytes
from PIL import Image

from studio.core.errors import ExportError
from studio.export import labels


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_label_is_embedded_replaced_and_pixels_untouched(fmt: str, media_type: str) -> None:
    original = image_bytes((120, 80), (10, 120, 200), fmt)
    packet = labels.xmp_packet(labels.COMPOSITE, creator_tool="Studio", description="a <b> & c")
    labelled = labels.embed_xmp(original, media_type, packet)
    relabelled = labels.embed_xmp(
        labelled,
        media_type,
        labels.xmp_packet(labels.TRAINED, creator_tool="Studio", description="again"),
    )

    assert labels.read_source_type(original, media_type) is None
    assert labels.read_source_type(labelled, media_type) == labels.COMPOSITE
    assert labels.read_source_type(relabelled, media_type) == labels.TRAINED
    # exactly one packet after relabelling, and Pillow (an independent reader) finds it
    assert relabelled.count(b"Iptc4xmpExt:DigitalSourceType") == 1
    with Image.open(io.BytesIO(relabelled)) as image:
        xmp = image.info.get("XML:com.adobe.xmp") or image.info.get("xmp")
        pixels = image.convert("RGB").tobytes()
    if isinstance(xmp, bytes):
        xmp = xmp.decode()
    assert "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia" in xmp
    assert "again" in xmp
    with Image.open(io.BytesIO(original)) as image:
        assert image.convert("RGB").tobytes() == pixels


def test_labelling_is_deterministic() -> None:
    data = image_bytes((32, 32), (1, 2, 3))
    packet = labels.xmp_packet(labels.TRAINED, creator_tool="Studio", description="x")
    assert labels.embed_xmp(data, "image/png", packet) == labels.embed_xmp(
        data, "image/png", packet
    )


def test_description_is_xml_escaped() -> None:
    packet = labels.xmp_packet(
        labels.TRAINED, creator_tool='Studio "1"', description="</rdf:li><evil/>"
    )
    assert b"<evil/>" not in packet
    assert b"&lt;/rdf:li&gt;&lt;evil/&gt;" in packet


def test_non_images_are_refused() -> None:
    with pytest.raises(ExportError, match="Not a PNG"):
        labels.embed_xmp(b"GIF89a....", "image/png", b"<x/>")
    with pytest.raises(ExportError, match="only PNG and JPEG"):
        labels.embed_xmp(b"RIFF", "image/webp", b"<x/>")


def test_jpeg_exif_stays_first_after_soi() -> None:
    image = Image.new("RGB", (40, 30), (200, 100, 50))
    exif = Image.Exif()
    exif[0x010E] = "ImageDescription"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    packet = labels.xmp_packet(labels.TRAINED, creator_tool="Studio", description="x")
    labelled = labels.embed_xmp(buffer.getvalue(), "image/jpeg", packet)
    segments, _ = labels._jpeg_segments(labelled)
    markers = [(marker, raw[4:8]) for marker, raw in segments[:3]]
    assert markers[0][0] == 0xE0 or markers[0][1] == b"Exif"
    exif_at = next(i for i, (m, head) in enumerate(markers) if head == b"Exif")
    xmp_at = next(i for i, (m, head) in enumerate(markers) if head == b"http")
    assert exif_at < xmp_at
    with Image.open(io.BytesIO(labelled)) as reopened:
        assert reopened.getexif()[0x010E] == "ImageDescription"
    assert labels.read_source_type(labelled, "image/jpeg") == labels.TRAINED
