"""Client hand-off packages: pseudonyms, leak search, packing, re-running from a fresh folder."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import numeric_id_tables, tiny_tables, write_tables

from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.handoff import pack as handoff
from custlib.io.contract import TABLES
from custlib.present.style import cjk_font_path

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"
PKG = ROOT / "custlib"


# --------------------------------------------------------------------------- pseudonyms


def test_pseudonym_id_is_hmac_sha256_of_rfc_4231_test_case_2():
    """RFC 4231, test case 2: HMAC-SHA256(key="Jefe", "what do ya want for nothing?")
    = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843."""
    assert handoff.pseudonym_id("what do ya want for nothing?", b"Jefe") == "K5BDCC146BF60754E"


def test_pseudonym_names_are_numbered_in_the_order_of_the_id_hash():
    """Names follow the order of HMAC-SHA256(key, id) (RFC 2104), computed here with the standard library."""
    ids = ["C3", "C1", "C2"]
    got = handoff.pseudonym_map(ids, b"k")
    digest = {i: hmac.new(b"k", i.encode(), hashlib.sha256).hexdigest() for i in ids}
    order = sorted(ids, key=digest.get)
    expected = pd.DataFrame(
        {
            "customer_id": pd.Series(["C1", "C2", "C3"], dtype="str"),
            "pseudo_id": pd.Series(["K" + digest[i][:16].upper() for i in ["C1", "C2", "C3"]], dtype="str"),
            "pseudo_name": pd.Series([f"Customer {order.index(i) + 1:04d}" for i in ["C1", "C2", "C3"]], dtype="str"),
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_pseudonym_ids_do_not_depend_on_the_other_customers_but_change_with_the_key():
    big = handoff.pseudonym_map([f"C{i}" for i in range(50)], b"key-1").set_index("customer_id")
    small = handoff.pseudonym_map(["C7", "C9"], b"key-1").set_index("customer_id")
    assert small.loc["C7", "pseudo_id"] == big.loc["C7", "pseudo_id"]
    other = handoff.pseudonym_map(["C7"], b"key-2").set_index("customer_id")
    assert other.loc["C7", "pseudo_id"] != big.loc["C7", "pseudo_id"]


def test_pseudonym_map_refuses_repeated_ids():
    with pytest.raises(DataError, match="customer_id: ids must be distinct"):
        handoff.pseudonym_map(["C1", "C1"], b"k")


def test_resolve_key_prefers_key_then_environment_then_seed(monkeypatch):
    monkeypatch.delenv(handoff.KEY_ENV, raising=False)
    assert handoff.resolve_key("secret", seed=3) == (b"secret", "key")
    assert handoff.resolve_key(None, seed=3) == (b"custlib-handoff-seed:3", "seed")
    k1, src = handoff.resolve_key(None, None)
    assert src == "random" and len(k1) == 32 and handoff.resolve_key(None, None)[0] != k1
    monkeypatch.setenv(handoff.KEY_ENV, "from-env")
    assert handoff.resolve_key(None, seed=3) == (b"from-env", "environment")
    with pytest.raises(ParamsError, match="handoff.key: the key is empty"):
        handoff.resolve_key("")


def test_anonymise_tables_replaces_ids_and_names_and_leaves_the_input_alone():
    customers = pd.DataFrame({"customer_id": ["A1", "B2"], "name": ["Acme", "Beta"], "region": ["East", "East"]})
    tx = pd.DataFrame({"order_id": ["O1", "O2", "O3"], "customer_id": ["B2", "A1", "B2"], "revenue": [1.0, 2.0, 3.0]})
    before = customers.copy(), tx.copy()
    mapping = pd.DataFrame({"customer_id": ["A1", "B2"], "pseudo_id": ["KA", "KB"], "pseudo_name": ["Customer 0002", "Customer 0001"]})
    out = handoff.anonymise_tables({"customers": customers, "transactions": tx, "offers": None}, mapping, b"k")
    pd.testing.assert_frame_equal(
        out["customers"],
        pd.DataFrame({"customer_id": ["KA", "KB"], "name": ["Customer 0002", "Customer 0001"], "region": ["East", "East"]}),
    )
    orders = [handoff.pseudonym_id(o, b"k", "order_id") for o in ["O1", "O2", "O3"]]
    pd.testing.assert_frame_equal(
        out["transactions"], pd.DataFrame({"order_id": orders, "customer_id": ["KB", "KA", "KB"], "revenue": [1.0, 2.0, 3.0]})
    )
    assert out["offers"] is None
    pd.testing.assert_frame_equal(customers, before[0])
    pd.testing.assert_frame_equal(tx, before[1])


def test_anonymise_tables_replaces_order_and_offer_ids_whatever_their_form():
    """Numeric ids, and order and offer ids that embed them, are all replaced: no original value is left and
    equal originals get equal pseudonyms (so an order's lines stay one order)."""
    mapping = handoff.pseudonym_map(["42003", "42004"], b"k")
    tx = pd.DataFrame({"order_id": ["42003-0017", "42003-0017", "88"], "customer_id": ["42003", "42003", "42004"]})
    offers = pd.DataFrame({"offer_id": ["42003/1", "42004/1"], "customer_id": ["42003", "42004"]})
    out = handoff.anonymise_tables({"transactions": tx, "offers": offers}, mapping, key=b"k")
    t, o = out["transactions"], out["offers"]
    assert not set(t["order_id"]) & set(tx["order_id"]) and not set(o["offer_id"]) & set(offers["offer_id"])
    assert t["order_id"].iloc[0] == t["order_id"].iloc[1] != t["order_id"].iloc[2]
    assert not set(t["customer_id"]) & {"42003", "42004"}
    every = "".join(t.to_numpy().ravel()) + "".join(o.to_numpy().ravel())
    assert "42003" not in every and "42004" not in every
    # order and offer pseudonyms are keyed hashes like the customers' (RFC 2104), each column with its own domain
    expected = "O" + hmac.new(b"k", b"order_id:42003-0017", hashlib.sha256).hexdigest()[:16].upper()
    assert t["order_id"].iloc[0] == expected


def test_anonymise_tables_refuses_a_customer_without_pseudonym():
    mapping = pd.DataFrame({"customer_id": ["A1"], "pseudo_id": ["KA"], "pseudo_name": ["Customer 0001"]})
    tx = pd.DataFrame({"customer_id": ["A1", "Z9"]})
    with pytest.raises(DataError, match=r"transactions: column 'customer_id' names customers without a pseudonym: \['Z9'\]"):
        handoff.anonymise_tables({"transactions": tx}, mapping, b"k")


def test_anonymise_params_replaces_whole_values_and_keys_only():
    params = {"watch": {"Acme": ["A1", "A12", 3]}, "note": "Acme is big", "n": 5}
    got = handoff.anonymise_params(params, {"A1": "KA", "Acme": "Customer 0001"})
    assert got == {"watch": {"Customer 0001": ["KA", "A12", 3]}, "note": "Acme is big", "n": 5}
    assert params["watch"] == {"Acme": ["A1", "A12", 3]}


# --------------------------------------------------------------------------- leak search


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_find_leaks_sees_names_escaped_in_html_markdown_json_and_parquet():
    """Planted leaks, one per encoding a report uses; the known answer is where they were planted."""
    parquet = io.BytesIO()
    pd.DataFrame({"customer_id": ["C0042", "C0007"], "x": [1.0, 2.0]}).to_parquet(parquet, index=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("ok")]
    out = nbformat.v4.new_output("display_data", data={"text/markdown": r"Top: Acme \(Shanghai\) Co\.", "image/png": "QUNNRQ=="})
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [out]
    nb.cells.append(code)
    members = {
        "p/report.html": b"<td>O&#x27;Brien &amp; Sons</td><img src='data:image/png;base64,T0JyaWVu'>",
        "p/report.ipynb": nbformat.writes(nb).encode(),
        "p/data.parquet": parquet.getvalue(),
        "p/notes.md": "客户华东精密机械有限公司的订单 and C00123 and XC0042".encode(),
        "p/clean.txt": b"nothing to see: C00421, Acmeville",
    }
    needles = ["O'Brien & Sons", "Acme (Shanghai) Co.", "C0042", "华东精密机械有限公司", "C0012", "Acme", "Nobody Ltd"]
    got = handoff.find_leaks(_zip(members), needles)
    assert got == {
        "p/report.html": ["O'Brien & Sons"],
        "p/report.ipynb": ["Acme", "Acme (Shanghai) Co."],
        "p/data.parquet": ["C0042"],
        "p/notes.md": ["华东精密机械有限公司"],
    }
    assert handoff.find_leaks(_zip(members), needles, skip=["p/report", "p/data", "p/notes"]) == {}


def test_find_leaks_reads_the_cells_of_an_excel_workbook():
    """An xlsx is a zip of XML: a name in a cell is found only by reading the workbook."""
    from custlib.io.sheets import xlsx_bytes

    book = xlsx_bytes({"Lists": pd.DataFrame({"name": ["Acme (Shanghai) Co."], "customer_id": ["C0042"]})})
    assert b"C0042" not in book  # compressed: a plain search would miss it
    assert handoff.find_leaks(_zip({"p/actions.xlsx": book}), ["C0042", "Acme (Shanghai) Co.", "Nobody Ltd"]) == {
        "p/actions.xlsx": ["Acme (Shanghai) Co.", "C0042"]
    }


def test_searchable_needs_four_characters_numbers_included():
    assert [handoff.searchable(s) for s in ["C001", "Li", "12345", "0042", "123", "东北机械", " ab "]] == [
        True,
        False,
        True,
        True,
        False,
        True,
        False,
    ]


def test_find_leaks_finds_numeric_ids_as_whole_numbers_only():
    """A numeric id is found where it stands alone (after a space, a bracket, inside "42003-0017", before a full stop
    that ends a sentence, as a JSON number), never inside a longer number or word or as part of a decimal."""
    parquet = io.BytesIO()
    pd.DataFrame({"order_id": ["42003-0017"], "revenue": [42003.0]}).to_parquet(parquet, index=False)
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"customer": 42003}}
    members = {
        "p/order.txt": b"order 42003-0017",
        "p/bracket.html": b"<td>(42003)</td>",
        "p/sentence.md": b"Call customer 42003.",
        "p/data.parquet": parquet.getvalue(),
        "p/run.ipynb": nbformat.writes(nb).encode(),
        "p/inside.txt": b"2042003 420031 x42003 42003y 42003.5 1.42003 v42003 K3F42003A",
        "p/years.txt": "in 2012, ¥42,003".encode(),
    }
    got = handoff.find_leaks(_zip(members), ["42003", "12", "4200"])
    assert got == {
        "p/order.txt": ["42003"],
        "p/bracket.html": ["42003"],
        "p/sentence.md": ["42003"],
        "p/data.parquet": ["42003"],
        "p/run.ipynb": ["42003"],
    }


# --------------------------------------------------------------------------- small pieces


def test_handoff_key_in_sets_is_taken_out_of_the_parameters():
    params_sets, own = handoff._split_sets(["report.lang=zh", "handoff.key=s3cret"])
    assert params_sets == ["report.lang=zh"] and own == {"key": "s3cret"}
    with pytest.raises(ParamsError, match="--set handoff.salt: unknown hand-off option"):
        handoff._split_sets(["handoff.salt=x"])


def test_notebook_defaults_point_the_parameters_cell_at_the_package():
    src = 'data: str = "../data/sample"  # data source\nregion: str = "East"  # region\nx = "East"\n'
    got = handoff.notebook_defaults(src, {"data": "../data", "region": "华北"})
    assert got == 'data: str = "../data"  # data source\nregion: str = "华北"  # region\nx = "East"\n'


def test_reusable_reports_only_when_the_run_key_matches(tmp_path):
    """The runner's own run_key decides: same inputs reuse, changed parameters or a missing file do not."""
    from custlib.run.manifest import code_sha256, file_sha256, run_key

    nb = sorted((ROOT / "notebooks").glob("00_*.ipynb"))[0]
    qdir = tmp_path / "2026Q3"
    (qdir / "east").mkdir(parents=True)
    for ext in ("html", "ipynb"):
        (qdir / "east" / f"{nb.stem}.{ext}").write_text("x")
    fp = {"customers.parquet": "abc"}
    params = {"report": {"lang": "en"}}
    key = run_key(fp, "East", "2026Q3", params, file_sha256(nb), code_sha256())
    entry = {
        "slug": "east",
        "notebook": nb.stem,
        "status": "ok",
        "run_key": key,
        "html": f"east/{nb.stem}.html",
        "ipynb": f"east/{nb.stem}.ipynb",
    }
    (qdir / "manifest.json").write_text(json.dumps({"reports": [entry]}))
    got = handoff.reusable_reports(tmp_path, "2026Q3", "East", "east", params, [nb], fp)
    assert got[nb.stem]["html"] == qdir / "east" / f"{nb.stem}.html"
    assert handoff.reusable_reports(tmp_path, "2026Q3", "East", "east", {"report": {"lang": "zh"}}, [nb], fp) is None
    (qdir / "east" / f"{nb.stem}.ipynb").unlink()
    assert handoff.reusable_reports(tmp_path, "2026Q3", "East", "east", params, [nb], fp) is None


def test_an_existing_package_is_not_overwritten(tmp_path, tiny):
    out = tmp_path / "p.zip"
    out.write_bytes(b"sent last week")
    with pytest.raises(RenderError, match=r"p.zip: the file exists; choose another --out or pass --force"):
        handoff.build_handoff(tiny, "North", "2025Q4", out, params_dir=PARAMS)
    assert out.read_bytes() == b"sent last week"


def test_a_package_holds_exactly_one_region(tmp_path, tiny):
    with pytest.raises(ParamsError, match="exactly one region"):
        handoff.build_handoff(tiny, "East,North", "2025Q4", tmp_path / "p.zip", params_dir=PARAMS)
    with pytest.raises(ParamsError, match="'Mars' not in the data"):
        handoff.build_handoff(tiny, "Mars", "2025Q4", tmp_path / "p.zip", params_dir=PARAMS)


def test_a_slice_that_does_not_reach_the_quarter_end_is_refused(tmp_path):
    """In the tiny data only a North order falls on 2025-12-31; East's last order is earlier, so East's
    slice alone would make 2025Q3 the latest complete quarter and the client's re-run would refuse 2025Q4."""
    data = write_tables(tiny_tables(), tmp_path / "data")
    with pytest.raises(DataError, match="East: the region's data slice would not re-run for 2025Q4"):
        handoff.build_handoff(data, "East", "2025Q4", tmp_path / "p.zip", params_dir=PARAMS)
    assert not (tmp_path / "p.zip").exists()
    assert not list(tmp_path.glob(".p.zip.*"))


def test_another_regions_customer_in_the_parameters_refuses_the_package(tmp_path, tiny):
    """A --set value naming an East customer would put East data in North's package: refused, nothing written."""
    out = tmp_path / "north.zip"
    with pytest.raises(
        DataError,
        match=r"north.zip: the package would contain customers of other regions \(1 file\(s\)\): params/defaults.yaml: 'East Customer 3'",
    ):
        handoff.build_handoff(tiny, "North", "2025Q4", out, sets=["report.organisation=East Customer 3"], params_dir=PARAMS)
    assert not out.exists()


def test_another_regions_numeric_customer_id_in_the_parameters_refuses_the_package(tmp_path):
    """Numeric ids are searched too: an East id (31003) in North's parameters refuses the package."""
    data = write_tables(numeric_id_tables(), tmp_path / "data")
    out = tmp_path / "north.zip"
    with pytest.raises(DataError, match=r"params/defaults.yaml: '31003'"):
        handoff.build_handoff(data, "North", "2025Q4", out, sets=["report.organisation=Account 31003 (East)"], params_dir=PARAMS)
    assert not out.exists()


# --------------------------------------------------------------------------- a package that stands alone

YAML = """# top comment
report:
  lang: en            # en or zh
  top_n: 15           # rows

  # a comment inside a section
run:
  seed: 1   # seed
  tiers:
    - name: a
      share: 1.0
flow: {a: 1, b: [1, 2]}  # a flow mapping
"""


def test_overlay_writes_values_on_their_lines_and_keeps_every_comment():
    """Hand-written expected text: changed values on their own lines (comment column kept), a new key under its
    section, a replaced list on one line, a change inside a flow mapping rewrites that mapping, a removed key's line gone."""
    from custlib.handoff.params_text import overlay

    target = {
        "report": {"lang": "zh", "top_n": 15, "extra": "x y"},
        "run": {"tiers": [{"name": "b", "share": 1.0}]},
        "flow": {"a": 2, "b": [1, 2]},
        "new": {"k": [1]},
    }
    expected = """# top comment
report:
  lang: zh            # en or zh
  top_n: 15           # rows
  extra: x y

  # a comment inside a section
run:
  tiers: [{name: b, share: 1.0}]
flow: {a: 2, b: [1, 2]}  # a flow mapping
new: {k: [1]}
"""
    assert overlay(YAML, target) == expected
    assert overlay(YAML, yaml_load(YAML)) == YAML
    assert overlay("- a\n- b\n", {"a": 1}) is None, "not a mapping: the caller writes the values without comments"


def yaml_load(text):
    import yaml

    return yaml.safe_load(text)


def test_packed_parameters_keep_every_comment_of_the_workbooks_defaults():
    """East has region overrides (makebuy demand) and this package sets two values: the packed file reads back as
    the merged parameters, and every comment line of params/defaults.yaml is in it, in order."""
    from custlib.handoff.package import params_text
    from custlib.io.data import Quarter
    from custlib.io.params import load_params

    sets = ["report.top_n=7", "validation.min_date=1997-01-01"]
    merged = load_params("East", PARAMS, sets)
    text = params_text(PARAMS / "defaults.yaml", merged, "East", Quarter.parse("2025Q4"), sets)
    assert yaml_load(text) == merged
    comments = [ln.strip() for ln in (PARAMS / "defaults.yaml").read_text(encoding="utf-8").splitlines() if ln.strip().startswith("#")]
    packed = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("#")]
    assert [c for c in packed if c in comments] == comments
    inline = [ln.split("#", 1)[1] for ln in (PARAMS / "defaults.yaml").read_text(encoding="utf-8").splitlines() if " # " in ln]
    assert all(f"#{c}" in text for c in inline), "inline comments are kept too"
    assert "top_n: 7 " in text and "base: 2000 " in text


def test_params_are_found_beside_the_data_or_the_command_says_how_to_give_them(tmp_path, monkeypatch):
    from custlib.cli import main
    from custlib.io.params import find_params_dir

    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    (project / "params" / "defaults.yaml").write_text((PARAMS / "defaults.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    data = write_tables(tiny_tables(), project / "exports" / "2025")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert find_params_dir(data=data) == project / "params"
    assert main(["validate", "--data", str(data)]) == 0
    lone = write_tables(tiny_tables(), tmp_path / "lone")
    with pytest.raises(
        ParamsError, match=r"params/defaults.yaml not found in .*lone nor in .*elsewhere or any parent folder; .*--params DIR"
    ):
        find_params_dir(data=lone)


def test_the_cli_without_params_anywhere_exits_2_naming_the_params_option(tmp_path, capsys, monkeypatch):
    from custlib.cli import main

    data = write_tables(tiny_tables(), tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["render", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "--params DIR" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _requirements(path: Path) -> dict[str, str]:
    from packaging.utils import canonicalize_name

    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[canonicalize_name(re.split(r"[\[<>=!~; ]", name, maxsplit=1)[0])] = version
    return out


def _closure(roots: list[str]) -> set[str]:
    """Every distribution the roots need here, from the installed metadata (markers evaluated, extras followed)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen, todo = set(), [(r, frozenset()) for r in roots]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for r in metadata.distribution(name).requires or []:
            req = Requirement(r)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
                todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    return {n for n, _ in seen}


def test_runtime_requirements_are_the_closure_of_the_runtime_roots_at_the_full_locks_versions():
    """requirements-runtime.txt = what requirements-runtime.in's packages need, computed here from the installed
    packages' own metadata; every pin equals requirements.txt's; no test, lint, notebook-editing or cluster tool."""
    full = _requirements(ROOT / "requirements.txt")
    runtime = _requirements(ROOT / "requirements-runtime.txt")
    roots = list(_requirements(ROOT / "requirements-runtime.in"))
    assert set(runtime) == _closure(roots) - {"pip"}
    assert {n: v for n, v in runtime.items() if full.get(n) != v} == {}
    dev = {"pytest", "ruff", "playwright", "jupyterlab", "jupyter-server", "ipykernel", "debugpy", "jupytext", "dask", "distributed"}
    assert not dev & set(runtime)
    assert not {"sqlalchemy", "psycopg", "psycopg-binary", "mplfonts", "pyarrow"} & set(runtime)


def _relative_links(path: Path) -> list[str]:
    """The relative targets of a page's links and sources (HTML attributes, Markdown links)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        found = re.findall(r"\]\(([^)\s]+)\)", text)
    else:
        from html.parser import HTMLParser

        found = []

        class Links(HTMLParser):
            def handle_starttag(self, tag, attrs):
                found.extend(v for k, v in attrs if k in ("href", "src") and v)

        Links().feed(text)
    return [u.split("#")[0] for u in found if not re.match(r"^([a-z][a-z0-9+.-]*:|#|//)", u) and u.split("#")[0]]


def _broken_links(top: Path) -> dict[str, list[str]]:
    out = {}
    for p in sorted(top.rglob("*")):
        if p.suffix in (".html", ".md") and not p.relative_to(top).as_posix().startswith("custlib/"):
            bad = [u for u in _relative_links(p) if not (p.parent / html.unescape(u)).resolve().is_file()]
            if bad:
                out[p.relative_to(top).as_posix()] = bad
    return out


def _builder_paths(texts: dict[str, str], *paths) -> dict[str, list[str]]:
    """Files (other than custlib's code) naming a folder of the machine that built the package."""
    needles = [str(p) for p in paths] + ["custlib-handoff-"]
    return {
        rel: [n for n in needles if n in text]
        for rel, text in texts.items()
        if not rel.startswith("custlib/") and any(n in text for n in needles)
    }


def _report_data_parameter(top: Path, rel: str) -> str:
    nb = nbformat.read(top / rel, as_version=4)
    (cell,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    (line,) = [ln for ln in cell.source.splitlines() if ln.startswith("data = ")]
    value = json.loads(line[len("data = ") :])
    assert nb.metadata["papermill"]["parameters"]["data"] == value
    return value


# --------------------------------------------------------------------------- whole packages (slow)

_B64 = re.compile(r"base64,[A-Za-z0-9+/=\s]+")


def _md_esc(s: str) -> str:
    return re.sub(r"([\\`*_\[\]{}()#+!|~])", r"\\\1", s)


def _forms(name: str) -> set[str]:
    """How a name can be written in a report: plain, HTML-escaped, Markdown-escaped, JSON-escaped."""
    base = {name, html.escape(name), html.escape(name, quote=False), _md_esc(html.escape(name))}
    out = set(base)
    for b in base:
        out.add(json.dumps(b)[1:-1])
        out.add(json.dumps(b, ensure_ascii=False)[1:-1])
    return out


def _texts(folder: Path) -> dict[str, str]:
    """Every file of an unpacked package as searchable text (Parquet: column names and all text values)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if p.suffix == ".parquet":
            frame = pd.read_parquet(p)
            parts = list(map(str, frame.columns))
            for col in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_datetime64_any_dtype(frame[col]):
                    parts.extend(frame[col].dropna().astype(str))
            out[rel] = "\n".join(parts)
        elif p.suffix == ".xlsx":  # a zip: its cells, read with python-calamine
            out[rel] = "\n".join(str(v) for rows in _xlsx_rows(p).values() for row in rows for v in row)
        else:
            out[rel] = _B64.sub("base64,", p.read_text(encoding="utf-8", errors="replace"))
    return out


def _xlsx_rows(path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _found(texts: dict[str, str], ids: set[str], names: set[str]) -> dict[str, set[str]]:
    hits = {}
    forms = {n: _forms(n) for n in names}
    for rel, text in texts.items():
        got = {i for i in re.findall(r"C\d{7}", text) if i in ids}
        got |= {n for n, fs in forms.items() if any(f in text for f in fs)}
        if got:
            hits[rel] = got
    return hits


def _code_hits_only(hits: dict[str, set[str]], top: Path) -> dict[str, set[str]]:
    """Drop hits in custlib files that are byte-identical to the repository's (examples in docstrings)."""
    left = {}
    for rel, got in hits.items():
        if rel.startswith("custlib/") and (top / rel).read_bytes() == (PKG / rel[len("custlib/") :]).read_bytes():
            continue
        left[rel] = got
    return left


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from custlib.io.sample import generate_sample

    root = tmp_path_factory.mktemp("handoff")
    generate_sample(root / "data", customers=300, regions=2, seed=42)
    customers = pd.read_parquet(root / "data" / "customers.parquet")
    return root, customers


def _unpack(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)
        zf.extractall(dest)
    (top,) = [p for p in dest.iterdir()]
    return top


@pytest.mark.slow
@pytest.mark.e2e
def test_package_unpacks_and_reruns_in_a_fresh_folder_with_its_own_custlib(sample, tmp_path):
    from custlib.run.runner import render

    root, customers = sample
    reports = tmp_path / "reports"
    first = render(root / "data", quarter="2026Q3", regions="North", notebooks="00", out=reports, params_dir=PARAMS, progress=False)
    assert not first.failed, [o.error for o in first.failed]
    res = handoff.build_handoff(root / "data", "north", "2026Q3", tmp_path / "north.zip", reports, notebooks="00", params_dir=PARAMS)
    assert not res.rendered, "the reports in reports/ were made from the same inputs and are packed as they are"
    top = _unpack(res.path, tmp_path / "client")
    assert top.name == "handoff-north-2026Q3"

    files = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}
    expected = {
        "README.md",
        "Makefile",
        "pyproject.toml",
        "requirements.txt",
        "handoff.json",
        "params/defaults.yaml",
        "data/customers.parquet",
        "data/transactions.parquet",
        "data/offers.parquet",
        "data/service_costs.parquet",
        "data/peer_quarterly.parquet",
        "data/_coverage.json",
        "notebooks/00_overview_region.ipynb",
        "notebooks/00_overview_region.py",
        "reports/2026Q3/index.html",
        "reports/2026Q3/rollup.html",
        "reports/2026Q3/north/00_overview_region.html",
        "reports/2026Q3/north/00_overview_region.ipynb",
        "reports/2026Q3/north/actions.xlsx",  # the lists behind the overview's advice, made from the packed notebook
        "reports/2026Q3/north/actions.csv",
        "DATA.md",
        "custlib/present/font_files/NotoSansCJKsc-Regular.otf",
        "custlib/present/font_files/OFL.txt",
    }
    code = {
        f"custlib/{p.relative_to(PKG).as_posix()}"
        for p in PKG.rglob("*")
        if p.suffix in (".py", ".json", ".j2", ".po", ".mo") and "__pycache__" not in p.parts
    }
    assert files == expected | code
    assert (top / "requirements.txt").read_bytes() == (ROOT / "requirements-runtime.txt").read_bytes()
    assert (top / "custlib/present/font_files/NotoSansCJKsc-Regular.otf").read_bytes() == cjk_font_path().read_bytes()

    # stands alone: the parameters with their comments, the data contract and the mapping reference, no broken link,
    # no path of the builder's machine (the executed notebook reads the package's data)
    defaults = (PARAMS / "defaults.yaml").read_text(encoding="utf-8")
    packed_params = (top / "params/defaults.yaml").read_text(encoding="utf-8")
    assert [ln for ln in defaults.splitlines() if ln.strip().startswith("#")] == [
        ln for ln in packed_params.splitlines() if ln.strip().startswith("#") and ln in defaults
    ]
    assert len([ln for ln in packed_params.splitlines() if "#" in ln]) >= len([ln for ln in defaults.splitlines() if "#" in ln])
    data_md = (top / "DATA.md").read_text(encoding="utf-8")
    for t in TABLES.values():
        assert f"**{t.name}**" in data_md and all(f"| `{c.name}` |" in data_md for c in t.columns)
    mapping = re.search(r"^## Source mapping\n.*?(?=^## )", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.M | re.S)
    assert mapping.group(0).rstrip() in data_md
    assert _broken_links(top) == {}
    assert _builder_paths(_texts(top), root, reports, ROOT) == {}
    nb_rel = "reports/2026Q3/north/00_overview_region.ipynb"
    assert (top / nb_rel).parent.joinpath(_report_data_parameter(top, nb_rel)).resolve() == (top / "data").resolve()
    assert (top / "reports/2026Q3/north/00_overview_region.html").read_bytes() == (
        reports / "2026Q3/north/00_overview_region.html"
    ).read_bytes()
    for name in ("actions.xlsx", "actions.csv"):  # made again from the packed notebooks: the same bytes
        assert (top / "reports/2026Q3/north" / name).read_bytes() == (reports / "2026Q3/north" / name).read_bytes()
    readme = (top / "README.md").read_text(encoding="utf-8")
    assert "custlib render --data data --regions north --quarter 2026Q3" in readme
    assert "pip install --no-compile -r requirements.txt" in readme
    nb = nbformat.read(top / "notebooks/00_overview_region.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    packed = pd.read_parquet(top / "data/customers.parquet")
    assert set(packed["region"]) == {"North"}
    assert len(packed) == (customers["region"] == "North").sum()
    assert pd.read_parquet(top / "data/transactions.parquet")["order_date"].max() <= pd.Timestamp("2026-09-30")
    assert set(pd.read_parquet(top / "data/peer_quarterly.parquet")["region"]) == {"East", "North"}

    # no other region's customer anywhere; this region's names are there (so the search can see them)
    east = customers[customers["region"] == "East"]
    north = customers[customers["region"] == "North"]
    texts = _texts(top)
    assert _code_hits_only(_found(texts, set(east["customer_id"]), set(east["name"])), top) == {}
    assert _found({"r": texts["reports/2026Q3/north/00_overview_region.html"]}, set(), set(north["name"]))

    # re-run the way the client does (the current interpreter instead of a new venv), from another folder:
    # the parameters are found beside --data
    env = {**os.environ, "PYTHONPATH": str(top)}
    where = subprocess.run(
        [sys.executable, "-c", "import custlib; print(custlib.__file__)"], cwd=top, env=env, capture_output=True, text=True, check=True
    )
    assert Path(where.stdout.strip()).resolve().is_relative_to(top.resolve())
    (top / "reports").rename(top / "shipped")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "custlib.cli",
            "render",
            "--data",
            str(top / "data"),
            "--regions",
            "north",
            "--quarter",
            "2026Q3",
            "--out",
            str(top / "reports"),
            "--quiet",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    manifest = json.loads((top / "reports/2026Q3/manifest.json").read_text(encoding="utf-8"))
    assert [(e["notebook"], e["status"]) for e in manifest["reports"]] == [("00_overview_region", "ok")]
    # the run used the package's notebooks (their defaults were rewritten, so their hash is the package's own)
    assert (
        manifest["notebooks_sha256"]["00_overview_region"]
        == hashlib.sha256((top / "notebooks/00_overview_region.ipynb").read_bytes()).hexdigest()
    )
    html_text = (top / "reports/2026Q3/north/00_overview_region.html").read_text(encoding="utf-8")
    assert "North" in html_text and "Traceback" not in html_text
    assert _found({"r": html_text}, set(), set(north["name"]))
    # the client's re-run lists the same customers
    assert (top / "reports/2026Q3/north/actions.csv").read_bytes() == (top / "shipped/2026Q3/north/actions.csv").read_bytes()


@pytest.mark.slow
@pytest.mark.e2e
def test_anonymised_package_holds_no_original_id_or_name_and_its_pseudonyms_are_stable(sample, tmp_path):
    root, customers = sample
    a = handoff.build_handoff(
        root / "data", "North", "2026Q3", tmp_path / "a.zip", anonymise=True, key="k-123", notebooks="00", params_dir=PARAMS
    )
    assert a.rendered and not a.failed, a.reports
    parser = argparse.ArgumentParser(prog="custlib")
    handoff.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        [
            "handoff",
            "--region",
            "North",
            "--quarter",
            "2026Q3",
            "--anonymise",
            "--data",
            str(root / "data"),
            "--out",
            str(tmp_path / "b.zip"),
        ]
        + ["--set", "handoff.key=k-123", "--notebooks", "00", "--params", str(PARAMS), "--reports", str(tmp_path / "none")]
    )
    assert args.func(args) == 0

    ids, names = set(customers["customer_id"]), set(customers["name"])
    tops = [_unpack(tmp_path / z, tmp_path / z.replace(".zip", "")) for z in ("a.zip", "b.zip")]
    for top in tops:
        texts = _texts(top)
        assert _code_hits_only(_found(texts, ids, names), top) == {}, "an original id or name is in the package"
        assert _builder_paths(texts, root, tmp_path, ROOT) == {}, "the package names a folder of the builder's machine"
        assert _broken_links(top) == {}
        assert "k-123" not in "".join(texts.values()), "the key must not be packed"
        html_text = texts["reports/2026Q3/north/00_overview_region.html"]
        assert re.search(r"Customer \d{4}", html_text), "the report shows pseudonymous names"
        assert "North" in html_text
    a_cust, b_cust = (pd.read_parquet(t / "data/customers.parquet") for t in tops)
    pd.testing.assert_frame_equal(a_cust, b_cust)
    north = customers[customers["region"] == "North"].sort_values("customer_id")
    expected_ids = {handoff.pseudonym_id(i, b"k-123") for i in north["customer_id"]}
    assert set(a_cust["customer_id"]) == expected_ids
    assert set(a_cust["name"]) == {f"Customer {i:04d}" for i in range(1, len(north) + 1)}
    tx = pd.read_parquet(tops[0] / "data/transactions.parquet")
    assert set(tx["customer_id"]) <= expected_ids
    for top in tops:  # the action lists: the pseudonyms of the packed data, no original
        sheets = _xlsx_rows(top / "reports/2026Q3/north/actions.xlsx").values()
        book = pd.concat([pd.DataFrame(sheet[1:], columns=sheet[0]) for sheet in sheets], ignore_index=True)
        table = pd.read_csv(top / "reports/2026Q3/north/actions.csv", encoding="utf-8-sig", dtype=str)
        assert len(book) == len(table) > 0
        for ids_, names_ in ((book["Customer id"], book["Customer name"]), (table["customer_id"], table["name"])):
            assert set(ids_) <= expected_ids and not set(ids_) & ids
            assert all(re.fullmatch(r"Customer \d{4}", n) for n in names_) and not set(names_) & names
    for top in tops:
        assert set(pd.read_parquet(top / "data/service_costs.parquet")["customer_id"]) <= expected_ids
        assert set(pd.read_parquet(top / "data/offers.parquet")["customer_id"]) <= expected_ids


def _whole_number_hits(texts: dict[str, str], numbers: set[str]) -> dict[str, set[str]]:
    """Which of ``numbers`` stand as whole tokens (not inside a longer number or word) in which file."""
    hits = {}
    for rel, text in texts.items():
        got = {n for n in numbers if re.search(rf"(?<![0-9A-Za-z]){n}(?![0-9A-Za-z])", text)}
        if got:
            hits[rel] = got
    return hits


@pytest.mark.slow
@pytest.mark.e2e
def test_anonymised_package_with_numeric_ids_holds_no_original_id(tmp_path):
    """Numeric customer ids (42003) with order and offer ids built from them (42003-0017, 42003/2): none is left."""
    tables = numeric_id_tables()
    data = write_tables(tables, tmp_path / "data")
    res = handoff.build_handoff(data, "North", "2025Q4", tmp_path / "n.zip", anonymise=True, key="k-9", notebooks="00", params_dir=PARAMS)
    assert not res.failed, res.reports
    top = _unpack(res.path, tmp_path / "client")
    ids = set(tables["customers"]["customer_id"])
    texts = _texts(top)
    assert _code_hits_only(_whole_number_hits(texts, ids), top) == {}, "an original customer id is in the package"
    assert _code_hits_only(_found(texts, set(), set(tables["customers"]["name"])), top) == {}
    north = tables["customers"].loc[tables["customers"]["region"] == "North", "customer_id"]
    tx, offers = (pd.read_parquet(top / f"data/{t}.parquet") for t in ("transactions", "offers"))
    orig_tx = tables["transactions"][tables["transactions"]["customer_id"].isin(north)]
    orig_offers = tables["offers"][tables["offers"]["customer_id"].isin(north)]
    assert not set(tx["order_id"]) & set(orig_tx["order_id"])
    assert not set(offers["offer_id"]) & set(orig_offers["offer_id"])
    # the same orders, lines and customers, under other names
    assert tx["order_id"].nunique() == orig_tx["order_id"].nunique() and len(tx) == len(orig_tx)
    assert sorted(tx.groupby("customer_id")["order_id"].nunique()) == sorted(orig_tx.groupby("customer_id")["order_id"].nunique())
    assert len(offers) == len(orig_offers)


def _readme_commands(readme: str) -> list[str]:
    """The commands of the README's "Re-run it" section (its indented lines after "In this folder:")."""
    block = readme.split("In this folder:", 1)[1].split("\n\n", 2)[1]
    return [ln.strip() for ln in block.splitlines() if ln.startswith("    ")]


#: ``du -sm`` of a fresh venv after ``pip install -r requirements.txt`` (the full lock, pip's defaults: bytecode
#: compiled), Linux x86_64, CPython 3.11.7, pip 23.2.1, 2026-12-04: the size the issue calls "today's"
FULL_INSTALL_MB = 1386
#: the same with ``--no-compile`` (pip writes no bytecode): 1,142 MB, same machine and day
FULL_INSTALL_NO_COMPILE_MB = 1142
#: The issue's target: the hand-off's install under half of today's (the full lock as pip installs it by default).
#: The hand-off's first command installs the runtime lock with ``--no-compile`` (Python writes the bytecode of the
#: modules a run imports when it first imports them): 571 MB right after it, 640 MB after a render (measured
#: 2026-12-04); the venv is measured after the client's renders, bytecode included, and must stay under half.
RUNTIME_INSTALL_BUDGET_MB = FULL_INSTALL_MB // 2


def _du_mb(path: Path) -> int:
    """``du -sm path``: the disk space in MiB, hard links counted once."""
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0])


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(
    not os.environ.get("CUSTLIB_TEST_INSTALL"),
    reason="installs the package's requirements from a package index into a new venv (minutes, network); set CUSTLIB_TEST_INSTALL=1",
)
def test_package_reruns_from_its_readme_in_a_fresh_venv_with_only_the_runtime_requirements(sample, tmp_path):
    """The client's way, literally: unzip, run the README's two commands in a clean environment, read the reports;
    then the same render in Chinese. The venv holds no pyarrow, test, lint, notebook-editing or cluster tool and
    stays within the install budget (``du -sm .venv``; printed, with the package folder's size, for the README)."""
    root, _ = sample
    res = handoff.build_handoff(root / "data", "North", "2026Q3", tmp_path / "n.zip", tmp_path / "none", params_dir=PARAMS)
    top = _unpack(res.path, tmp_path / "client")
    (top / "reports").rename(top / "shipped")
    commands = _readme_commands((top / "README.md").read_text(encoding="utf-8"))
    assert len(commands) == 2 and commands[0].startswith("python3 -m venv .venv")
    # a client's shell: no PYTHONPATH, no venv, and Python writes bytecode as it does by default
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    for cmd in commands:
        run = subprocess.run(["bash", "-c", cmd], cwd=top, env=env, capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, f"{cmd}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        if cmd is commands[0]:
            venv_mb = _du_mb(top / ".venv")  # before the render writes any bytecode or cache
    after_mb = _du_mb(top / ".venv")  # with the bytecode the render wrote
    package_mb = _du_mb(top) - after_mb
    print(f"\nhand-off install: .venv {venv_mb} MB (full lock: {FULL_INSTALL_MB} MB); unpacked package and reports {package_mb} MB")
    shipped = sorted(p.stem for p in (top / "shipped/2026Q3/north").glob("*.html"))
    assert shipped == sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    manifest = json.loads((top / "reports/2026Q3/manifest.json").read_text(encoding="utf-8"))
    assert sorted((e["notebook"], e["status"]) for e in manifest["reports"]) == [(n, "ok") for n in shipped]
    for name in shipped:  # the client's render, without pyarrow, gives the pages the package shipped
        rel = f"2026Q3/north/{name}.html"
        assert (top / "reports" / rel).read_bytes() == (top / "shipped" / rel).read_bytes(), rel
    zh = subprocess.run(
        [str(top / ".venv/bin/custlib"), "render", "--data", "data", "--regions", "north", "--quarter", "2026Q3", "--out", "reports-zh"]
        + ["--set", "report.lang=zh", "--quiet"],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert zh.returncode == 0, zh.stderr[-3000:]
    page = (top / "reports-zh/2026Q3/north/00_overview_region.html").read_text(encoding="utf-8")
    assert "custlib Noto Sans CJK SC" in page and re.search(r"[\u4e00-\u9fff]{4}", page)  # Chinese, with the packed font
    freeze = subprocess.run([str(top / ".venv/bin/pip"), "freeze"], capture_output=True, text=True, check=True).stdout.lower()
    assert not [p for p in ("pytest==", "ruff==", "jupyterlab==", "mplfonts==", "playwright==", "dask==", "pyarrow==") if p in freeze]
    after_mb = _du_mb(top / ".venv")  # with the bytecode the renders wrote
    print(f"hand-off install after the renders: .venv {after_mb} MB (full lock without bytecode: {FULL_INSTALL_NO_COMPILE_MB} MB)")
    assert venv_mb <= after_mb < RUNTIME_INSTALL_BUDGET_MB, f"the hand-off's venv takes {venv_mb} MB, {after_mb} MB after the renders"
