"""Products as a reader reads them: the products table's name where the data has one, else the code."""

from __future__ import annotations

import pandas as pd


def product_names(ctx) -> dict[str, str]:
    """Product id -> name from the report's products table (empty when the data has none).

    A source mapping derives the table from the export's descriptions (``tables.products``
    in ``source.yaml``); a name that is empty leaves the code.
    """
    products = getattr(getattr(ctx, "data", None), "products", None)
    if products is None or not len(products) or "name" not in products.columns:
        return {}
    named = products.loc[products["name"].notna(), ["product_id", "name"]]
    names = named["name"].astype("str").str.strip()
    keep = names != ""
    return dict(zip(named.loc[keep, "product_id"].astype("str"), names[keep], strict=True))


def product_labels(codes: pd.Series, ctx, t) -> pd.Series:
    """``codes`` as the reader reads them: each product's name when the data has one, else the code (``t.data``)."""
    names = product_names(ctx)
    return pd.Series([names.get(str(c)) or t.data(c) for c in codes], index=codes.index, dtype="object")
