"""The CDNOW transaction log (Fader, Hardie & Lee) as import rows: ``import_data sales --format cdnow FILE``.

The log is whitespace-separated: customer id, date ``YYYYMMDD``, number of CDs, dollar value (the
master file, with a header line); the 1/10 sample has the master's customer id, then its own
sample id, then the same three columns. Each line becomes one sale:

- one product, ``CDNOW-CD`` ("CD (CDNOW)", category Music), created by the first line;
- a customer per id, named ``CDNOW customer 00001`` with email ``cdnow-00001@example.com`` (the
  master's id, so the sample and the master name the same people); the customer's join date is
  their first order's, city and country Unknown;
- quantity = CDs, total = dollars; the unit price is total / quantity rounded *up* to the cent and
  the rounding (under a cent per CD) is the discount, so total = quantity × unit price − discount
  holds exactly and the dollars are kept to the cent;
- sold at midnight UTC of the day; external id ``cdnow-<customer id>-<k>`` for the customer's k-th
  line, which is the same in the sample and the master (a line number would not be), so importing
  either file again, or the master after the sample, adds nothing twice.

Run as a script it writes the rows as CSV in our import format (``python -m imports.adapters.cdnow
FILE > sales.csv``), for a look at what ``--format cdnow`` imports.
"""

import csv
import sys
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_CEILING, Decimal

CENT = Decimal("0.01")
COLUMNS = (
    "external_id",
    "customer_email",
    "customer_name",
    "product_sku",
    "product_name",
    "category",
    "sold_at",
    "quantity",
    "unit_price",
    "discount",
    "total",
)
PRODUCT = {"product_sku": "CDNOW-CD", "product_name": "CD (CDNOW)", "category": "Music"}


def rows(stream) -> Iterator[tuple[int, dict]]:
    seen = defaultdict(int)
    for number, text in enumerate(stream, start=1):
        parts = text.split()
        if not parts or not parts[0].isdigit():
            continue  # the master's header line, blank lines
        if len(parts) == 5:  # the sample: master id, sample id, date, CDs, dollars
            parts = [parts[0], *parts[2:]]
        if len(parts) != 4:
            yield number, {"external_id": f"line {number}", "customer_email": "", "sold_at": text.strip()}
            continue
        customer, day, cds, dollars = parts
        customer = customer.zfill(5)
        seen[customer] += 1
        quantity = int(cds) if cds.isdigit() else cds
        total = Decimal(dollars).quantize(CENT)
        if isinstance(quantity, int) and quantity > 0:
            unit = (total / quantity).quantize(CENT, rounding=ROUND_CEILING)
            discount = unit * quantity - total
        else:
            unit, discount = total, Decimal("0.00")
        yield (
            number,
            {
                "external_id": f"cdnow-{customer}-{seen[customer]:03d}",
                "customer_email": f"cdnow-{customer}@example.com",
                "customer_name": f"CDNOW customer {customer}",
                **PRODUCT,
                "sold_at": f"{day[:4]}-{day[4:6]}-{day[6:8]}",
                "quantity": str(quantity),
                "unit_price": str(unit),
                "discount": str(discount),
                "total": str(total),
            },
        )


def main(argv: list[str]) -> int:
    from imports.reading import open_text

    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    try:
        for path in argv or ["-"]:
            for _line, row in rows(open_text(path)):
                writer.writerow(row)
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
