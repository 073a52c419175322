"""Product catalogue and deal product rows.

The furniture store sells sofas, tables, kitchens (priced per running metre) and services; the
real-estate line sells apartments priced per square metre (a row's QUANTITY is the area), parking
spaces and storage rooms. Purchase costs live in the catalogue, as on a real portal, so margin
analytics must join rows to `catalog.product.list`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .business import RATE_TO_RUB
from .clock import DAY, Clock

PCS, METRE, SQ_METRE = (796, "pcs"), (6, "m"), (55, "m²")
CATALOG_IBLOCK_ID = 14
FIRST_PRODUCT_ID = 101
VAT_RATE = 20.0


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    section: int  # iblockSectionId
    group: str
    price: float  # list price, RUB (per unit of measure)
    cost_ratio: float  # purchase price / list price
    measure: tuple[int, str]
    line: int  # 0 furniture, 1 real estate
    area: tuple[float, float] | None = None  # apartments: area range in m²

    @property
    def purchasing_price(self) -> float:
        return round(self.price * self.cost_ratio, 2)


_FURNITURE = [
    # group, section, (name, price), cost ratio, measure
    ("sofa", 21, [("Sofa Milano 3-seat", 89900), ("Sofa Oslo corner", 124500),
                  ("Sofa-bed Verona", 67800), ("Sofa Chester leather", 189000),
                  ("Sofa Nordic 2-seat", 54900)], 0.56, PCS),
    ("armchair", 21, [("Armchair Loft", 32400), ("Armchair Bergen", 27900),
                      ("Recliner Comfort", 48600)], 0.55, PCS),
    ("table", 22, [("Dining table Oak 160", 58700), ("Dining table Lux extendable", 74200),
                   ("Coffee table Glass", 15900), ("Desk Office Pro", 23400)], 0.52, PCS),
    ("chair", 22, [("Chair Vienna", 8900), ("Chair Scandi", 6450), ("Office chair Ergo", 18700),
                   ("Bar stool Metro", 7300)], 0.5, PCS),
    ("wardrobe", 23, [("Wardrobe Sliding 180", 64300), ("Wardrobe Classic 3-door", 48900),
                      ("Walk-in closet system", 112000)], 0.58, PCS),
    ("bed", 24, [("Bed Milan 160x200", 59800), ("Bed Provence 180x200", 76400),
                 ("Kids bed Dream", 28300)], 0.55, PCS),
    ("mattress", 24, [("Mattress Ortho 160x200", 34500), ("Mattress Premium 180x200", 52800)],
     0.48, PCS),
    ("kitchen", 25, [("Kitchen set Modern, per running metre", 41000),
                     ("Kitchen set Classic, per running metre", 55000)], 0.6, METRE),
    ("kitchen_island", 25, [("Kitchen island Loft", 96000)], 0.6, PCS),
    ("storage", 23, [("Shelving unit Cube", 12800), ("Chest of drawers Nord", 21600),
                     ("TV stand Line", 17900)], 0.5, PCS),
    ("delivery", 26, [("Delivery within Moscow", 1500), ("Delivery Moscow region", 3500)],
     0.7, PCS),
    ("assembly", 26, [("Assembly service", 4900), ("Kitchen installation", 15000)], 0.65, PCS),
]
_COMPLEXES = [("RC Severny Park", 212000), ("RC Zelenaya Roshcha", 186000),
              ("RC Riverside", 268000), ("RC Sokolniki Residence", 324000)]
_LAYOUTS = [("Studio", (22.0, 29.0), 1.12), ("1-room apartment", (33.0, 43.0), 1.05),
            ("2-room apartment", (51.0, 67.0), 1.0), ("3-room apartment", (73.0, 93.0), 0.97),
            ("Penthouse", (118.0, 164.0), 1.25)]


def build_catalog() -> list[Product]:
    """The fixed catalogue (~90 products): the same business at every scale."""
    out: list[Product] = []
    pid = FIRST_PRODUCT_ID
    for group, section, items, ratio, measure in _FURNITURE:
        for name, price in items:
            out.append(Product(pid, name, section, group, float(price), ratio, measure, 0))
            pid += 1
    for complex_name, per_m2 in _COMPLEXES:
        for layout, area, factor in _LAYOUTS:
            out.append(Product(pid, f"{layout}, {complex_name}", 31, "apartment",
                               float(round(per_m2 * factor, -2)), 0.71, SQ_METRE, 1, area))
            pid += 1
        out.append(Product(pid, f"Parking space, {complex_name}", 32, "parking",
                           float(round(per_m2 * 7.5, -4)), 0.6, PCS, 1))
        pid += 1
        out.append(Product(pid, f"Storage room, {complex_name}", 32, "storage_room",
                           float(round(per_m2 * 2.1, -3)), 0.55, PCS, 1))
        pid += 1
    out.append(Product(pid, "Legal support of the transaction", 33, "re_service", 45000.0, 0.4,
                       PCS, 1))
    out.append(Product(pid + 1, "Mortgage brokerage", 33, "re_service", 35000.0, 0.3, PCS, 1))
    return out


class Catalog:
    """Catalogue plus the lookups row generation needs."""

    def __init__(self) -> None:
        self.products = build_catalog()
        self.by_group: dict[str, list[Product]] = {}
        for p in self.products:
            self.by_group.setdefault(p.group, []).append(p)
        self.apartments_by_complex = [
            [p for p in self.by_group["apartment"] if p.name.endswith(c)] for c, _ in _COMPLEXES]
        self.parking = self.by_group["parking"]
        self.storage = self.by_group["storage_room"]

    def catalog_records(self, clock: Clock, r: random.Random) -> list[dict]:
        """`catalog.product.list` records (camelCase, typed)."""
        out = []
        for p in self.products:
            created = -int(DAY * (200 + r.random() * 900))
            modified = created + int(DAY * r.random() * 500)
            out.append({
                "id": p.id, "iblockId": CATALOG_IBLOCK_ID, "iblockSectionId": p.section,
                "name": p.name, "code": f"product-{p.id}", "xmlId": f"{p.id + 9000}",
                "active": "Y", "available": "Y", "bundle": "N", "type": 1,
                "measure": p.measure[0], "purchasingPrice": p.purchasing_price,
                "purchasingCurrency": "RUB",
                "quantity": float(int(r.random() * 40)) if p.line == 0 else 1.0,
                "quantityReserved": 0.0, "quantityTrace": "D", "canBuyZero": "Y",
                "vatId": 1 if p.line == 0 else None, "vatIncluded": "Y",
                "weight": None, "sort": 100 + (p.id - FIRST_PRODUCT_ID) * 10,
                "previewText": None, "detailText": None,
                "createdBy": 1, "modifiedBy": 1,
                "dateCreate": clock.iso(created), "timestampX": clock.iso(modified),
            })
        return out


# Furniture basket composition: (group, weight) of the main items of an order.
_MAIN_GROUPS = (("sofa", 22), ("armchair", 8), ("table", 14), ("chair", 12), ("wardrobe", 10),
                ("bed", 12), ("mattress", 7), ("kitchen", 10), ("kitchen_island", 2),
                ("storage", 9))
_MAIN_TOTAL = float(sum(w for _, w in _MAIN_GROUPS))
_ROW_COUNTS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)  # main items per furniture order


def _pick_group(x: float) -> str:
    x *= _MAIN_TOTAL
    for g, w in _MAIN_GROUPS:
        x -= w
        if x < 0:
            return g
    return _MAIN_GROUPS[-1][0]


def num(x: float) -> float | int:
    """Whole numbers as JSON ints, the way the API prints them (`"PRICE": 100`, `899.1`)."""
    i = int(x)
    return i if i == x else x


def row_record(row_id: int, deal_id: int, product: Product, list_price: float, quantity: float,
               discount_rate: float, currency: str, sort: int, vat: bool) -> tuple[dict, float]:
    """One `crm.deal.productrows.get` row (mixed types, as the API) and its line total."""
    rate = RATE_TO_RUB.get(currency, 1.0)
    netto = round(list_price / rate, 2)
    discount = round(netto * discount_rate / 100.0, 2)
    price = round(netto - discount, 2)
    exclusive = round(price / (1 + VAT_RATE / 100.0), 2) if vat else price
    record = {
        "ID": str(row_id), "OWNER_ID": str(deal_id), "OWNER_TYPE": "D",
        "PRODUCT_ID": product.id, "PRODUCT_NAME": product.name,
        "ORIGINAL_PRODUCT_NAME": product.name, "PRODUCT_DESCRIPTION": None,
        "PRICE": num(price), "PRICE_EXCLUSIVE": num(exclusive), "PRICE_NETTO": num(netto),
        "PRICE_BRUTTO": num(netto), "PRICE_ACCOUNT": f"{price * rate:.2f}",
        "QUANTITY": num(quantity), "DISCOUNT_TYPE_ID": 2, "DISCOUNT_RATE": num(discount_rate),
        "DISCOUNT_SUM": num(discount), "TAX_RATE": 20 if vat else None, "TAX_INCLUDED": "Y", "CUSTOMIZED": "Y",
        "MEASURE_CODE": product.measure[0], "MEASURE_NAME": product.measure[1], "SORT": sort,
        "XML_ID": f"sale_basket_{row_id}", "TYPE": 1, "STORE_ID": 0, "RESERVE_ID": None,
        "DATE_RESERVE_END": None, "RESERVE_QUANTITY": None,
    }
    return record, round(price * quantity, 2)


def furniture_basket(catalog: Catalog, r: random.Random) -> list[tuple[Product, float, float]]:
    """(product, quantity, discount %) for a furniture order, services last."""
    rnd = r.random
    rows: list[tuple[Product, float, float]] = []
    used: set[int] = set()
    for _ in range(_ROW_COUNTS[int(rnd() * len(_ROW_COUNTS))]):
        group = _pick_group(rnd())
        options = catalog.by_group[group]
        p = options[int(rnd() * len(options))]
        if p.id in used:
            continue
        used.add(p.id)
        if group == "chair":
            qty = float(2 + int(rnd() * 7))
        elif group == "kitchen":
            qty = round(2.2 + rnd() * 3.2, 1)
        else:
            qty = 2.0 if rnd() < 0.08 else 1.0
        disc = (5.0, 10.0, 15.0)[int(rnd() * 3)] if rnd() < 0.25 else 0.0
        rows.append((p, qty, disc))
    if rnd() < 0.5:
        rows.append((catalog.by_group["delivery"][0 if rnd() < 0.7 else 1], 1.0, 0.0))
    if rnd() < 0.3:
        kitchen = any(p.group == "kitchen" for p, _, _ in rows)
        rows.append((catalog.by_group["assembly"][1 if kitchen else 0], 1.0, 0.0))
    return rows


def real_estate_basket(catalog: Catalog, r: random.Random) -> list[tuple[Product, float, float]]:
    """An apartment (quantity = area in m², price per m²), maybe parking and storage."""
    rnd = r.random
    complex_index = int(rnd() * len(catalog.apartments_by_complex))
    layouts = catalog.apartments_by_complex[complex_index]
    x = rnd()
    layout = layouts[0 if x < 0.15 else 1 if x < 0.45 else 2 if x < 0.8 else 3 if x < 0.97
                     else 4]
    lo, hi = layout.area or (40.0, 60.0)
    area = round(lo + (hi - lo) * rnd(), 1)
    disc = 3.0 if rnd() < 0.12 else 0.0
    rows = [(layout, area, disc)]
    if rnd() < 0.25:
        rows.append((catalog.parking[complex_index], 1.0, 0.0))
    if rnd() < 0.15:
        rows.append((catalog.storage[complex_index], 1.0, 0.0))
    if rnd() < 0.1:
        rows.append((catalog.by_group["re_service"][int(rnd() * 2)], 1.0, 0.0))
    return rows
