"""Hostile workbooks, made small on the fly (never stored large): a stored dimension that
claims the whole grid, a part that expands a thousandfold, an XML entity bomb, and a
formula Excel never calculated."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == part else data)
    return target


def plain_products(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SKU", "Name", "Price"])
    sheet.append(["P1", "Mug", 12.5])
    sheet.append(["P2", "Tea", 8])
    book.save(path)
    return path


def whole_grid_dimension(folder: Path) -> Path:
    """Three rows whose stored dimension is A1:XFD1048576 (Excel writes it for formatting
    whole columns): a reader that trusts it pads 16,384 columns × a million rows."""
    source = plain_products(folder / "source.xlsx")
    return _rewrite(source, folder / "whole-grid.xlsx", SHEET,
                    lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))  # fmt: skip  # noqa: E501


def expanding_part(folder: Path, megabytes: int = 24) -> Path:
    """A sheet part that expands a thousandfold (a spreadsheet bomb, kept small here)."""
    source = plain_products(folder / "source.xlsx")
    padding = b"<!--" + b" " * (megabytes << 20) + b"-->"
    return _rewrite(
        source, folder / "expanding.xlsx", SHEET,
        lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>", 1),
    )  # fmt: skip


def entity_bomb(folder: Path) -> Path:
    """The shared strings part as a "billion laughs" XML entity bomb."""
    source = plain_products(folder / "source.xlsx")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    return _rewrite(source, folder / "entities.xlsx", SHEET, lambda _xml: bomb)


def uncalculated_formula(folder: Path) -> Path:
    """A product name given by a formula that was never calculated (openpyxl, like many
    tools that write workbooks, saves formulas without their values)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SKU", "Name", "Price"])
    sheet.append(["P1", '=CONCAT("Mug", " large")', 12.5])
    path = folder / "formula.xlsx"
    book.save(path)
    return path
