"""The one look of every report: colours, the seaborn theme and a font that draws Chinese."""

from __future__ import annotations

#: One colour per tier or segment, used by every chart.
PALETTE = {
    "A": "#1b5e8c",
    "B": "#5aa0c8",
    "C": "#b9d7ea",
    "platinum": "#1b5e8c",
    "gold": "#5aa0c8",
    "iron": "#b9d7ea",
    "lead": "#d9d9d9",
    "champions": "#1b5e8c",
    "loyal": "#2f7fb5",
    "potential loyalists": "#5aa0c8",
    "new": "#8cc5e3",
    "promising": "#b9d7ea",
    "need attention": "#f2c14e",
    "about to sleep": "#f29e4c",
    "at risk": "#e4572e",
    "can't lose": "#a4243b",
    "hibernating": "#8d8d8d",
    "no orders in window": "#c8c8c8",
    "revenue": "#1b5e8c",
    "gross_profit": "#4c9f70",
    "net_profit": "#e4572e",
    "cost_to_serve": "#1b5e8c",
    "make": "#1b5e8c",
    "buy": "#f29e4c",
    "make_light": "#8cc5e3",
    "buy_light": "#f7c99b",
    "reference": "#444444",
}
SEQUENCE = ["#1b5e8c", "#f29e4c", "#4c9f70", "#e4572e", "#7b4b94", "#8d8d8d", "#5aa0c8", "#c9a227"]


def use_report_style() -> None:
    """Set the one seaborn theme and colour cycle shared by all reports.

    Changes matplotlib's global state on purpose; call it once per notebook.
    """
    import logging
    import warnings

    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette=SEQUENCE)
    families = ["DejaVu Sans"]
    cjk = cjk_font_path()
    if cjk is not None:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(cjk))
        families.append(font_manager.FontProperties(fname=str(cjk)).get_name())
    families += ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei"]
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4.2),
            "figure.dpi": 96,
            "savefig.dpi": 96,
            "axes.titleweight": "bold",
            # matplotlib falls back glyph by glyph across the *families* listed here (not across the
            # sans-serif alias): Latin from DejaVu, Chinese from the CJK font
            "font.family": families[:2] if cjk is not None else ["sans-serif"],
            "font.sans-serif": families,
            "axes.unicode_minus": False,
        }
    )
    # a glyph drawn as an empty box is a broken report: make it an error
    warnings.filterwarnings("error", message=r"Glyph .* missing from (current )?font", category=UserWarning)
    # the CJK font has no bold face; matplotlib then uses the regular one and logs each time: not news for a reader
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


#: the font file that draws Chinese (Noto Sans CJK SC, SIL Open Font License 1.1)
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
#: the folder beside this module where a client hand-off package puts that file (with its licence),
#: so the package's environment needs only the font, not the whole 100 MB ``mplfonts`` package
FONT_FILES = "font_files"


def cjk_font_path():
    """Noto Sans CJK SC: the copy in ``custlib/present/font_files/`` (a hand-off package's), else the pinned
    ``mplfonts`` package's (found without importing it), or None."""
    import importlib.util
    from pathlib import Path

    own = Path(__file__).resolve().parent / FONT_FILES / CJK_FONT_FILE
    if own.is_file():
        return own
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / CJK_FONT_FILE
    return path if path.is_file() else None
