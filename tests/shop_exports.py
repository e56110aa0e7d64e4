"""Order exports in the real formats shops download, written from each tool's documented
column set with invented customers (no customer data from anywhere real).

* :func:`write_invoice_lines`: the UCI "Online Retail" layout (``InvoiceNo, StockCode,
  Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country``): month-first
  dates, ids written as ``17850.0``, cancellations as ``C``-invoices with negative
  quantities, postage and manual lines, lines without a customer, an item twice on one
  invoice, a SKU in two cases, capitals for names.
* :func:`write_shopify_orders`: Shopify's orders export (one row per line item,
  order-level columns on an order's first row only, ``Financial Status`` and
  ``Refunded Amount``, shipping as an order column).
* :func:`write_woocommerce_orders`: a WooCommerce order export in the "one row per item"
  layout of the common export plugins (``Order Number, Order Status, Order Date,
  … Email (Billing), Country Code (Billing), SKU, Item Name, Quantity (- Refund),
  Item Cost``).
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

GIFT_SHOP = [
    ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 2.55),
    ("71053", "WHITE METAL LANTERN", 3.39),
    ("84406B", "CREAM CUPID HEARTS COAT HANGER", 2.75),
    ("84029G", "KNITTED UNION FLAG HOT WATER BOTTLE", 3.39),
    ("22752", "SET 7 BABUSHKA NESTING BOXES", 7.65),
    ("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", 4.25),
    ("22633", "HAND WARMER UNION JACK", 1.85),
    ("84879", "ASSORTED COLOUR BIRD ORNAMENT", 1.69),
    ("22745", "POPPY'S PLAYHOUSE BEDROOM", 2.10),
    ("22748", "POPPY'S PLAYHOUSE KITCHEN", 2.10),
    ("85099B", "JUMBO BAG RED RETROSPOT", 1.95),
    ("22961", "JAM MAKING SET PRINTED", 1.45),
    ("22423", "REGENCY CAKESTAND 3 TIER", 12.75),
    ("47566", "PARTY BUNTING", 4.95),
    ("20725", "LUNCH BAG RED RETROSPOT", 1.65),
    ("21212", "PACK OF 72 RETROSPOT CAKE CASES", 0.55),
    ("22197", "SMALL POPCORN HOLDER", 0.85),
    ("23203", "JUMBO BAG DOILEY PATTERNS", 2.08),
    ("22386", "JUMBO BAG PINK POLKADOT", 1.95),
    ("22720", "SET OF 3 CAKE TINS PANTRY DESIGN", 4.95),
]
COUNTRIES = ["United Kingdom"] * 8 + ["France", "Germany", "EIRE", "Netherlands"]


def write_invoice_lines(path: Path, *, invoices: int = 120, seed: int = 7) -> Path:
    """Invoice lines over five days, as the gift shop's export writes them."""
    rng = random.Random(seed)
    customers = [(f"{rng.randint(12346, 18287)}.0", rng.choice(COUNTRIES)) for _ in range(40)]
    start = datetime(2010, 12, 1, 8, 26)
    rows: list[list[str]] = []
    sold: list[tuple[str, str, str, str, int, float, str, str]] = []
    for number in range(invoices):
        invoice = str(536365 + number)
        when = start + timedelta(minutes=int(number * 5 * 24 * 60 / invoices))
        stamp = f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"
        guest = number % 9 == 4
        customer, country = ("", "United Kingdom") if guest else rng.choice(customers)
        for sku, name, price in rng.sample(GIFT_SHOP, rng.randint(1, 5)):
            quantity = rng.choice([1, 2, 3, 4, 6, 12, 24])
            if sku == "85123A" and number % 2:
                sku = "85123a"  # the same product, keyed in lower case on some invoices
            rows.append([invoice, sku, name, str(quantity), stamp, f"{price:.2f}", customer,
                         country])  # fmt: skip
            sold.append((invoice, sku, name, stamp, quantity, price, customer, country))
        if number % 10 == 0:
            rows.append([invoice, "POST", "POSTAGE", "1", stamp, "18.00", customer, country])
        if number % 25 == 3:  # the same item twice on one invoice
            rows.append(rows[-1][:])
        if number % 15 == 7 and not guest:  # a cancellation of an earlier line
            _, sku, name, _, quantity, price, who, where = rng.choice(
                [s for s in sold if s[6] == customer]
            )
            rows.append([f"C{invoice}", sku, name, str(-min(quantity, 2)), stamp,
                         f"{price:.2f}", who, where])  # fmt: skip
    stamp = f"{start.month}/{start.day + 4}/{start.year} 17:00"
    rows.append(["C536999", "M", "Manual", "-1", stamp, "5.00", "14527.0", "United Kingdom"])
    rows.append(
        ["536998", "BANK CHARGES", "Bank Charges", "1", stamp, "15.00", "", "United Kingdom"]
    )
    # a customer whose only order was cancelled
    rows.append(["536997", "22423", "REGENCY CAKESTAND 3 TIER", "1", stamp, "12.75", "16000.0",
                 "United Kingdom"])  # fmt: skip
    rows.append(["C536997", "22423", "REGENCY CAKESTAND 3 TIER", "-1", stamp, "12.75", "16000.0",
                 "United Kingdom"])  # fmt: skip
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                         "UnitPrice", "CustomerID", "Country"])  # fmt: skip
        writer.writerows(rows)
    return path


SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity",
    "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2",
    "Billing Company", "Billing City", "Billing Zip", "Billing Province", "Billing Country",
    "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1",
    "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level",
    "Source", "Lineitem discount",
]  # fmt: skip
CANDLE_SHOP = [
    ("CND-FIG-200", "Fig & Cedar Candle - 200g", 24.00),
    ("CND-SEA-200", "Sea Salt Candle - 200g", 24.00),
    ("CND-FIG-400", "Fig & Cedar Candle - 400g", 38.00),
    ("DIF-LAV", "Lavender Reed Diffuser", 29.50),
    ("MAT-BOX", "Long Matches in a Gift Box", 6.00),
    ("", "Gift wrapping", 3.00),
]
SHOPPERS = [
    ("Amelia Hart", "amelia.hart@example.com", "London", "GB"),
    ("Jonas Weber", "jonas.weber@example.de", "Berlin", "DE"),
    ("Claire Dubois", "claire.dubois@example.fr", "Lyon", "FR"),
    ("Priya Shah", "priya.shah@example.co.uk", "Leeds", "GB"),
    ("Tom Becker", "tom.becker@example.de", "Hamburg", "DE"),
    ("Sofia Rossi", "sofia.rossi@example.it", "Milan", "IT"),
]


def write_shopify_orders(path: Path, *, orders: int = 40, seed: int = 3) -> Path:
    """Shopify's orders export: order-level columns on each order's first row only."""
    rng = random.Random(seed)
    start = datetime(2024, 9, 2, 10, 0)
    rows = []
    for number in range(orders):
        name, email, city, country = SHOPPERS[number % len(SHOPPERS)]
        when = start + timedelta(days=number * 2, hours=number % 7)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S +0100")
        items = rng.sample(CANDLE_SHOP[:5], rng.randint(1, 3))
        if number % 6 == 0:
            items.append(CANDLE_SHOP[5])
        subtotal = sum(price for _, _, price in items)
        status = "paid"
        refunded = "0.00"
        if number % 13 == 5:
            status, refunded = "refunded", f"{subtotal:.2f}"
        elif number % 11 == 4:
            status, refunded = "partially_refunded", f"{items[0][2]:.2f}"
        for index, (sku, title, price) in enumerate(items):
            row = dict.fromkeys(SHOPIFY_HEADER, "")
            row.update({
                "Name": f"#{1001 + number}", "Email": email, "Created at": stamp,
                "Lineitem quantity": "1", "Lineitem name": title,
                "Lineitem price": f"{price:.2f}", "Lineitem sku": sku,
                "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                "Lineitem fulfillment status": "fulfilled", "Lineitem discount": "0.00",
                "Vendor": "Ember & Wick",
            })  # fmt: skip
            if index == 0:
                row.update({
                    "Financial Status": status, "Paid at": stamp,
                    "Fulfillment Status": "fulfilled", "Accepts Marketing": "yes",
                    "Currency": "GBP", "Subtotal": f"{subtotal:.2f}", "Shipping": "3.95",
                    "Taxes": f"{subtotal / 6:.2f}", "Total": f"{subtotal + 3.95:.2f}",
                    "Shipping Method": "Standard", "Billing Name": name,
                    "Billing City": city, "Billing Country": country,
                    "Shipping Name": name, "Shipping City": city,
                    "Shipping Country": country, "Payment Method": "Shopify Payments",
                    "Refunded Amount": refunded, "Id": str(5120000000 + number),
                    "Risk Level": "Low", "Source": "web",
                })  # fmt: skip
            rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SHOPIFY_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


WOOCOMMERCE_HEADER = [
    "Order ID", "Order Number", "Order Status", "Order Date", "Customer User ID",
    "First Name (Billing)", "Last Name (Billing)", "Company (Billing)",
    "Address 1&2 (Billing)", "City (Billing)", "State Code (Billing)",
    "Postcode (Billing)", "Country Code (Billing)", "Email (Billing)", "Phone (Billing)",
    "Payment Method Title", "Cart Discount Amount", "Order Subtotal Amount",
    "Shipping Method Title", "Order Shipping Amount", "Order Refund Amount",
    "Order Total Amount", "Order Total Tax Amount", "SKU", "Item #", "Item Name",
    "Quantity (- Refund)", "Item Cost", "Coupon Code",
]  # fmt: skip
TEA_SHOP = [
    ("TEA-ASSAM-100", "Assam Breakfast Tea 100g", 7.50),
    ("TEA-SENCHA-50", "Organic Sencha 50g", 9.90),
    ("POT-CAST-IRON", "Cast Iron Teapot 0.8 l", 42.00),
    ("CUP-SET-2", "Double-Walled Glass Cups, Set of 2", 18.00),
]


def write_woocommerce_orders(path: Path, *, orders: int = 30, seed: int = 5) -> Path:
    """A WooCommerce export, one row per item, a semicolon CSV with decimal commas."""
    rng = random.Random(seed)
    start = datetime(2024, 3, 4, 9, 30)
    rows = []
    for number in range(orders):
        name, email, city, country = SHOPPERS[(number * 5) % len(SHOPPERS)]
        first, last = name.split()
        when = start + timedelta(days=number * 3)
        status = "Completed"
        if number % 9 == 2:
            status = "Cancelled"
        elif number % 8 == 6:
            status = "Processing"
        user_id = "0" if number % 10 == 9 else str(100 + (number * 5) % len(SHOPPERS))
        for index, (sku, title, price) in enumerate(rng.sample(TEA_SHOP, rng.randint(1, 2))):
            row = dict.fromkeys(WOOCOMMERCE_HEADER, "")
            row.update({
                "Order ID": str(4000 + number), "Order Number": str(4000 + number),
                "Order Status": status, "Order Date": when.strftime("%d.%m.%Y %H:%M"),
                "Customer User ID": user_id, "First Name (Billing)": first,
                "Last Name (Billing)": last, "City (Billing)": city,
                "Country Code (Billing)": country,
                "Email (Billing)": email,
                "Payment Method Title": "PayPal", "SKU": sku, "Item #": str(index + 1),
                "Item Name": title, "Quantity (- Refund)": str(rng.randint(1, 3)),
                "Item Cost": f"{price:.2f}".replace(".", ","),
                "Order Refund Amount": "0",
            })  # fmt: skip
            rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=WOOCOMMERCE_HEADER, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path
