"""Spreadsheet safety and the ad-platform column layouts."""

from __future__ import annotations

import csv
import io

import pytest

from studio.export import csv_files


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-20% off", "'-20% off"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("＝1+1", "'＝1+1"),
        ("Plain text = fine", "Plain text = fine"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_formula_cells_are_neutralised(cell: object, expected: str) -> None:
    assert csv_files.neutralise(cell) == expected


def test_google_rsa_columns_follow_ads_editor() -> None:
    columns = csv_files.GOOGLE_RSA_COLUMNS
    assert columns[:4] == ("Campaign", "Ad group", "Ad type", "Status")
    assert [c for c in columns if c.startswith("Headline")] == [
        f"Headline {i}" for i in range(1, 16)
    ]
    assert [c for c in columns if c.startswith("Description")] == [
        f"Description {i}" for i in range(1, 5)
    ]
    assert columns[-3:] == ("Path 1", "Path 2", "Final URL")


def test_meta_call_to_action_is_always_one_of_the_platforms_types() -> None:
    assert csv_files.meta_call_to_action("Shop now!") == "SHOP_NOW"
    assert csv_files.meta_call_to_action("  learn   MORE ") == "LEARN_MORE"
    # the labels the copy generator writes, as they were exported before (text, refused
    # by Ads Manager's importer), now mapped to the nearest type
    assert csv_files.meta_call_to_action("Grab yours") == "SHOP_NOW"
    assert csv_files.meta_call_to_action("Shop our coffee") == "SHOP_NOW"
    assert csv_files.meta_call_to_action("Order again") == "ORDER_NOW"
    assert csv_files.meta_call_to_action("Meet the Wool Beanie") == "LEARN_MORE"
    assert csv_files.meta_call_to_action("Sign up today") == "SIGN_UP"
    for label in ("Zzz", "", "Discover Espresso Dark Roast"):
        assert csv_files.meta_call_to_action(label) in csv_files.META_CTA_TYPES


def test_csv_bytes_round_trip_through_the_csv_module() -> None:
    data = csv_files.csv_bytes(("a", "b"), [('He said "hi"', "line\nbreak")])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "b"], ['He said "hi"', "line\nbreak"]]
