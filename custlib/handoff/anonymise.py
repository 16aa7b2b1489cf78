"""Pseudonyms for a client hand-off: keyed hashes of every customer, order and offer id, numbered names.

A customer id becomes ``"K"`` and the first 16 hex digits (upper case) of
HMAC-SHA256(key, id) (RFC 2104, with SHA-256 per RFC 4231); names become
``"Customer 0001"``, ``"Customer 0002"``, ... numbered in the order of that
hash. Order and offer ids are replaced too, whatever their form (an order
number such as ``42003-0017`` often embeds the customer's id, and any order
number leads back to the customer in the source system): ``"O"`` or ``"F"``
and 16 hex digits of HMAC-SHA256(key, ``"order_id:"`` or ``"offer_id:"`` + id),
the column's name keeping equal strings in different columns apart.
Product ids name products, not customers, and are kept; the leak search
(:mod:`custlib.handoff.leaks`) refuses a package in which one holds a
customer's id or name. See the module docstring of :mod:`custlib.handoff.pack`
for where the key comes from and what pseudonymised does not mean.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable

import pandas as pd

from custlib.exceptions import DataError, ParamsError

KEY_ENV = "CUSTLIB_HANDOFF_KEY"

#: every id column replaced when anonymising, and the letter its pseudonyms start with
PSEUDONYM_PREFIX = {"customer_id": "K", "order_id": "O", "offer_id": "F"}


def resolve_key(key: str | bytes | None = None, seed: int | None = None) -> tuple[bytes, str]:
    """The HMAC key and where it came from.

    Order: ``key``, the environment variable ``CUSTLIB_HANDOFF_KEY``, ``seed``
    (``"custlib-handoff-seed:<seed>"``), else a random 32-byte key.

    Returns
    -------
    (bytes, str)
        The key and one of ``"key"``, ``"environment"``, ``"seed"``, ``"random"``.

    Raises
    ------
    ParamsError
        ``key`` is empty or ``seed`` is not an integer.
    """
    if key is not None:
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if not raw:
            raise ParamsError("handoff.key: the key is empty; expected a secret string")
        return raw, "key"
    env = os.environ.get(KEY_ENV, "")
    if env:
        return env.encode("utf-8"), "environment"
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ParamsError(f"seed: {seed!r} is not an integer")
        return f"custlib-handoff-seed:{seed}".encode(), "seed"
    return secrets.token_bytes(32), "random"


def _message(value: str, column: str) -> bytes:
    """What is hashed: a customer id as it is, any other id prefixed with its column's name."""
    if column not in PSEUDONYM_PREFIX:
        raise ParamsError(f"{column}: not a pseudonymised id column (known: {', '.join(PSEUDONYM_PREFIX)})")
    text = str(value) if column == "customer_id" else f"{column}:{value}"
    return text.encode("utf-8")


def pseudonym_id(value: str, key: bytes, column: str = "customer_id") -> str:
    """The pseudonym of one id: the column's letter + 16 hex digits (upper case) of an HMAC-SHA256.

    ``customer_id``: ``"K"`` + HMAC-SHA256(key, id); ``order_id`` and ``offer_id``: ``"O"`` or ``"F"``
    + HMAC-SHA256(key, ``"<column>:<id>"``). HMAC per RFC 2104 with SHA-256 (test vectors: RFC 4231).
    """
    return PSEUDONYM_PREFIX[column] + hmac.new(key, _message(value, column), hashlib.sha256).hexdigest()[:16].upper()


def id_pseudonyms(values: Iterable[str], key: bytes, column: str) -> dict[str, str]:
    """``{id: pseudonym}`` for the distinct non-missing ``values`` of one id column (:func:`pseudonym_id`).

    Raises
    ------
    DataError
        Two ids get the same pseudonym (a 64-bit collision: use another key).
    """
    distinct = pd.Series(list(values), dtype="object").dropna().astype("str").unique()
    out = {v: pseudonym_id(v, key, column) for v in distinct}
    if len(set(out.values())) != len(out):  # pragma: no cover - 64-bit collision
        raise DataError(f"{column}: two ids got the same pseudonym; use another key")
    return out


def pseudonym_map(customer_ids: Iterable[str], key: bytes, *, id_col: str = "customer_id") -> pd.DataFrame:
    """Pseudonymous id and name for each customer (keyed-hash pseudonymisation).

    Ids are :func:`pseudonym_id`: HMAC-SHA256 (RFC 2104; the keyed hash that
    ENISA's "Pseudonymisation techniques and best practices", 2019,
    recommends over plain hashing, which can be reversed by hashing every
    possible id). Names are ``"Customer 0001"`` ... numbered in the order of the full
    HMAC-SHA256 digest (ties, which cannot occur for distinct ids, by id);
    at least four digits, more when there are 10,000 customers or more.

    ids -> customer_id, pseudo_id, pseudo_name (sorted by customer_id).

    Parameters
    ----------
    customer_ids : iterable of str
        Distinct ids.
    key : bytes
        HMAC key (see :func:`resolve_key`).
    id_col : str
        Name of the id column of the result.

    Returns
    -------
    DataFrame

    Raises
    ------
    DataError
        An id is repeated, or two ids get the same pseudonym.
    """
    ids = pd.Series(list(customer_ids), dtype="str")
    if ids.duplicated().any():
        raise DataError(f"{id_col}: ids must be distinct to make pseudonyms; repeated: {ids[ids.duplicated()].head(5).tolist()}")
    digest = [hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest() for i in ids]
    frame = pd.DataFrame({id_col: ids, "_digest": pd.Series(digest, dtype="str")})
    frame["pseudo_id"] = "K" + frame["_digest"].str[:16].str.upper()
    if frame["pseudo_id"].duplicated().any():  # pragma: no cover - 64-bit collision
        raise DataError(f"{id_col}: two customers got the same pseudonym; use another key")
    order = frame.sort_values(["_digest", id_col], kind="stable").index
    width = max(4, len(str(len(frame))))
    frame["pseudo_name"] = pd.Series(dtype="str")
    frame.loc[order, "pseudo_name"] = [f"Customer {i:0{width}d}" for i in range(1, len(frame) + 1)]
    frame["pseudo_name"] = frame["pseudo_name"].astype("str")
    out = frame.drop(columns="_digest").sort_values(id_col, kind="stable").reset_index(drop=True)
    return out


def anonymise_tables(
    tables: dict[str, pd.DataFrame | None], mapping: pd.DataFrame, key: bytes, *, id_col: str = "customer_id", name_col: str = "name"
) -> dict[str, pd.DataFrame | None]:
    """Replace every customer, order and offer id (any table) and every name (any table with ``name_col``) by pseudonyms.

    tables with customer_id [, name, order_id, offer_id] -> same tables, same columns, those values replaced.

    Customer ids and names come from ``mapping``; order and offer ids are keyed hashes
    (:func:`pseudonym_id`), so equal ids get equal pseudonyms in every table.

    Parameters
    ----------
    tables : dict of str to DataFrame or None
        E.g. customers, transactions, offers, service_costs; None is kept.
    mapping : DataFrame
        From :func:`pseudonym_map`: ``id_col``, pseudo_id, pseudo_name.
    key : bytes
        The HMAC key that made ``mapping`` (see :func:`resolve_key`).

    Returns
    -------
    dict of str to DataFrame or None
        New frames; the inputs are not changed.

    Raises
    ------
    DataError
        A table names a customer id that has no pseudonym.
    """
    ids = dict(zip(mapping[id_col], mapping["pseudo_id"], strict=True))
    names = dict(zip(mapping[id_col], mapping["pseudo_name"], strict=True))
    out: dict[str, pd.DataFrame | None] = {}
    for tname, frame in tables.items():
        if frame is None:
            out[tname] = None
            continue
        new = frame.copy()
        if id_col in new.columns:
            mapped = new[id_col].map(ids)
            missing = new.loc[mapped.isna() & new[id_col].notna(), id_col]
            if len(missing):
                raise DataError(f"{tname}: column '{id_col}' names customers without a pseudonym: {missing.unique()[:5].tolist()}")
            if name_col in new.columns:
                new[name_col] = new[id_col].map(names).astype("str")
            new[id_col] = mapped.astype("str")
        elif name_col in new.columns:
            raise DataError(f"{tname}: column '{name_col}' without '{id_col}'; cannot pseudonymise names")
        for col in PSEUDONYM_PREFIX:
            if col != id_col and col in new.columns:
                values = new[col].astype("str").where(new[col].notna())
                new[col] = values.map(id_pseudonyms(values, key, col)).astype("str").where(new[col].notna())
        out[tname] = new
    return out


def anonymise_params(params, replacements: dict[str, str]):
    """A copy of ``params`` with every string value or key equal to a key of ``replacements`` replaced.

    Only whole values are replaced; :func:`custlib.handoff.leaks.find_leaks` catches originals
    left inside longer strings.
    """
    if isinstance(params, dict):
        return {replacements.get(k, k) if isinstance(k, str) else k: anonymise_params(v, replacements) for k, v in params.items()}
    if isinstance(params, list):
        return [anonymise_params(v, replacements) for v in params]
    if isinstance(params, str):
        return replacements.get(params, params)
    return params
