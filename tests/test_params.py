"""Parameter files: merging, precedence and rejection naming the key and file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from custlib.exceptions import ParamsError
from custlib.io.params import deep_merge, load_params, parse_sets

REPO_PARAMS = Path(__file__).resolve().parent.parent / "params"


def _params_dir(tmp_path, defaults=None, regions=None) -> Path:
    d = tmp_path / "params"
    (d / "regions").mkdir(parents=True)
    base = yaml.safe_load((REPO_PARAMS / "defaults.yaml").read_text(encoding="utf-8"))
    (d / "defaults.yaml").write_text(yaml.safe_dump(deep_merge(base, defaults or {})), encoding="utf-8")
    for slug, content in (regions or {}).items():
        (d / "regions" / f"{slug}.yaml").write_text(content, encoding="utf-8")
    return d


def test_repository_params_are_valid_for_every_region_file():
    load_params(None, REPO_PARAMS)
    for f in (REPO_PARAMS / "regions").glob("*.yaml"):
        load_params(f.stem, REPO_PARAMS)


def test_every_set_example_in_the_readme_is_accepted():
    """The README's own ``--set key=value`` examples (e.g. ``abc.cutoffs=[0.7,0.9]``) pass the schema and the relation checks;
    the removed keys (``pareto.abc_cutoffs``, ``segmentation.abc.cutoffs``) are refused, naming the key."""
    import re

    from custlib.io.params import check_relations

    readme = (REPO_PARAMS.parent / "README.md").read_text(encoding="utf-8")
    examples = [m for m in re.findall(r"--set ([a-z_]+(?:\.[a-z_]+)+=[^\s`]+)", readme) if "..." not in m and not m.startswith("section.")]
    assert "abc.cutoffs=[0.7,0.9]" in examples and len(examples) >= 3
    for item in examples:
        values = load_params("East", REPO_PARAMS, [item])
        check_relations(values, f"README example --set {item}")
    assert load_params("East", REPO_PARAMS, ["abc.cutoffs=[0.7,0.9]"])["abc"]["cutoffs"] == [0.7, 0.9]
    for old in ("pareto.abc_cutoffs=[0.7,0.9]", "segmentation.abc.cutoffs=[0.7,0.9]", "pareto.share=0.7"):
        with pytest.raises(ParamsError, match="unknown key"):
            load_params("East", REPO_PARAMS, [old])


def test_region_file_overrides_defaults_and_set_overrides_both(tmp_path):
    d = _params_dir(tmp_path, regions={"east": "report:\n  currency: USD\n  top_n: 7\n"})
    p = load_params("East", d)
    assert p["report"]["currency"] == "USD" and p["report"]["top_n"] == 7
    assert p["report"]["lang"] == "en"  # untouched keys survive the merge
    p = load_params("East", d, ["report.top_n=3", "report.lang=zh"])
    assert (p["report"]["currency"], p["report"]["top_n"], p["report"]["lang"]) == ("USD", 3, "zh")
    assert load_params("North", d)["report"]["currency"] is None  # the source's currency, resolved when the data is read


def test_currency_comes_from_the_parameters_else_the_source_mapping_else_cny(tmp_path):
    from custlib.io.params import with_source_currency

    d = _params_dir(tmp_path, regions={"east": "report:\n  currency: USD\n"})
    assert with_source_currency(load_params("East", d), "GBP")["report"]["currency"] == "USD"
    assert with_source_currency(load_params("North", d), "GBP")["report"]["currency"] == "GBP"
    assert with_source_currency(load_params("North", d), None)["report"]["currency"] == "CNY"


@pytest.mark.parametrize("value", ["<script>", "cny", "¥", "EURO"])
def test_a_currency_must_be_an_iso_code_never_markup(tmp_path, value):
    with pytest.raises(ParamsError, match=r"'report.currency'"):
        load_params("East", _params_dir(tmp_path), [f"report.currency={value}"])


def test_unknown_key_in_a_region_file_names_key_and_file(tmp_path):
    d = _params_dir(tmp_path, regions={"east": "report:\n  curency: USD\n"})
    with pytest.raises(ParamsError, match=r"regions/east.yaml: unknown key 'report.curency'"):
        load_params("East", d)


def test_unknown_section_in_defaults(tmp_path):
    d = _params_dir(tmp_path, defaults={"reprot": {"lang": "en"}})
    with pytest.raises(ParamsError, match=r"defaults.yaml: unknown key 'reprot'"):
        load_params(None, d)


def test_wrong_type_names_key_file_and_expectation(tmp_path):
    d = _params_dir(tmp_path, regions={"east": "run:\n  cell_timeout_s: soon\n"})
    with pytest.raises(ParamsError, match=r"regions/east.yaml: 'run.cell_timeout_s' 'soon' is not of type 'integer'"):
        load_params("East", d)


def test_value_out_of_range_or_not_allowed(tmp_path):
    d = _params_dir(tmp_path)
    with pytest.raises(ParamsError, match=r"--set: 'report.lang' 'fr' is not one of \['en', 'zh'\]"):
        load_params(None, d, ["report.lang=fr"])
    with pytest.raises(ParamsError, match=r"--set: 'run.cell_timeout_s' 0 is less than the minimum of 1"):
        load_params(None, d, ["run.cell_timeout_s=0"])


def test_set_syntax_errors_are_named():
    with pytest.raises(ParamsError, match="expected key=value"):
        parse_sets(["report.lang"])
    with pytest.raises(ParamsError, match="empty"):
        parse_sets(["report..lang=zh"])
    assert parse_sets(["a.b=3", "a.c=[1, 2]", "d=x"]) == {"a": {"b": 3, "c": [1, 2]}, "d": "x"}


def test_a_date_given_with_set_stays_text_as_in_the_params_files(tmp_path):
    assert parse_sets(["validation.min_date=1997-01-01"]) == {"validation": {"min_date": "1997-01-01"}}
    assert load_params(None, _params_dir(tmp_path), ["validation.min_date=1997-01-01"])["validation"]["min_date"] == "1997-01-01"


def test_invalid_yaml_is_named(tmp_path):
    d = _params_dir(tmp_path, regions={"east": "report: [unclosed\n"})
    with pytest.raises(ParamsError, match="east.yaml: not valid YAML"):
        load_params("East", d)


def test_deep_merge_does_not_mutate_inputs():
    a = {"x": {"y": 1, "z": [1]}}
    b = {"x": {"y": 2}}
    out = deep_merge(a, b)
    assert out == {"x": {"y": 2, "z": [1]}} and a == {"x": {"y": 1, "z": [1]}}


def test_a_params_file_changed_between_two_loads_is_read_again(tmp_path):
    d = _params_dir(tmp_path, regions={"east": "report:\n  lang: zh\n"})
    assert load_params("East", d)["report"]["lang"] == "zh"
    first = load_params("East", d)
    first["report"]["lang"] = "changed by the caller"  # a caller's edit does not reach the next load
    assert load_params("East", d)["report"]["lang"] == "zh"
    east = d / "regions" / "east.yaml"
    east.write_text("report:\n  lang: en\n", encoding="utf-8")
    os.utime(east, ns=(east.stat().st_atime_ns, east.stat().st_mtime_ns + 1_000_000))  # same size: only the time tells
    assert load_params("East", d)["report"]["lang"] == "en"
    east.write_text("report:\n  lang: xx\n", encoding="utf-8")
    os.utime(east, ns=(east.stat().st_atime_ns, east.stat().st_mtime_ns + 2_000_000))
    with pytest.raises(ParamsError, match="east.yaml"):
        load_params("East", d)


def test_jsonschema_is_imported_without_the_rfc3987_grammar_and_still_validates():
    """custlib._lightimport: the 0.7 s grammar compile is skipped, the package stays importable later."""
    code = (
        "import sys, custlib.io.params as p\n"
        "assert 'jsonschema' in sys.modules and 'rfc3987_syntax' not in sys.modules, sorted(m for m in sys.modules if 'rfc' in m)\n"
        "import jsonschema\n"
        "assert not jsonschema.Draft202012Validator({'type': 'integer'}).is_valid('x')\n"
        "try:\n"
        "    import rfc3987_syntax\n"
        "except ImportError:\n"
        "    pass  # not installed here: nothing to un-hide\n"
        "else:\n"
        "    assert rfc3987_syntax.is_valid_syntax('iri', 'http://example.com/a')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
