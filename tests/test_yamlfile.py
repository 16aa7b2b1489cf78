"""YAML with limits: anchors and aliases refused before anything expands, sizes capped (issue 17)."""

from __future__ import annotations

import time

import pytest

from custlib.exceptions import DataError, ParamsError
from custlib.io.params import load_params, parse_sets, relation_problems
from custlib.io.yamlfile import MAX_YAML_BYTES, YamlError, load_file, load_text

#: The "billion laughs" of YAML: 341 bytes that expand to 9**9 strings when loaded.
BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)


def test_the_bomb_is_refused_at_once_naming_line_and_column():
    start = time.perf_counter()
    with pytest.raises(YamlError, match=r"bomb\.yaml: line 1, column 4: anchors and aliases"):
        load_text(BOMB, "bomb.yaml")
    assert time.perf_counter() - start < 5  # the bound; in practice well under a millisecond


def test_plain_yaml_loads_as_before():
    assert load_text("a: [1, 2]\nb: {c: x}\n", "ok.yaml") == {"a": [1, 2], "b": {"c": "x"}}


def test_an_oversized_file_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * MAX_YAML_BYTES, encoding="utf-8")
    with pytest.raises(YamlError, match=r"big\.yaml: .* bytes; a YAML file here is at most"):
        load_file(big)


def test_bomb_in_a_region_file_is_a_params_error(tmp_path):
    (tmp_path / "regions").mkdir()
    (tmp_path / "defaults.yaml").write_text("report: {lang: en}\n", encoding="utf-8")
    (tmp_path / "regions" / "east.yaml").write_text(BOMB, encoding="utf-8")
    with pytest.raises(ParamsError, match=r"east\.yaml: line 1, column 4: anchors and aliases"):
        load_params("East", params_dir=tmp_path)


def test_bomb_in_a_set_value_is_a_params_error():
    with pytest.raises(ParamsError, match=r"--set 'report\.lang=&x \[1\]'.*anchors and aliases"):
        parse_sets(["report.lang=&x [1]"])


def test_bomb_in_a_source_mapping_is_a_data_error(tmp_path):
    from custlib.io.mapping import load_mapping

    path = tmp_path / "source.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(DataError, match=r"source\.yaml: line 1, column 4: anchors and aliases"):
        load_mapping(path)


def test_the_bomb_through_the_cli_exits_2_within_five_seconds(tmp_path, capsys):
    from custlib.cli import main

    (tmp_path / "params" / "regions").mkdir(parents=True)
    (tmp_path / "params" / "defaults.yaml").write_text(BOMB, encoding="utf-8")
    start = time.perf_counter()
    code = main(["validate", "--data", str(tmp_path), "--params", str(tmp_path / "params")])
    assert code == 2
    assert time.perf_counter() - start < 5
    assert "anchors and aliases" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"abc": {"cutoffs": [0.95, 0.8]}}, "'abc.cutoffs' [0.95, 0.8]"),
        ({"abc": {"cutoffs": [0.8, 0.8]}}, "'abc.cutoffs' [0.8, 0.8]"),
        ({"segmentation": {"clusters": {"k_min": 5, "k_max": 3}}}, "'segmentation.clusters.k_min' 5 is above"),
        ({"run": {"seed": 2**32}}, "'run.seed' 4294967296"),
        ({"segmentation": {"pyramid": {"tiers": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}]}}}, "sum to 0.9"),
        (
            {"makebuy": {"cases": {"x": {"buy": {"volume_discounts": [{"min_units": 4000}, {"min_units": 2000}]}}}}},
            "'makebuy.cases.x.buy.volume_discounts' min_units [4000, 2000]",
        ),
    ],
)
def test_each_relation_is_checked(values, expected):
    problems = relation_problems(values)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_shipped_defaults_satisfy_every_relation():
    assert relation_problems(load_params()) == []
    assert relation_problems({"run": {"seed": 2**32 - 1}, "segmentation": {"clusters": {"k_min": 4, "k_max": 4}}}) == []
