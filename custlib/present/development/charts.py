"""The development report's charts: cumulative gains of the response model and the revenue forecast."""

from __future__ import annotations

import numpy as np

from custlib.present.development.labels import MODELS, value_label
from custlib.present.development.views import REASONS

__all__ = ["REASONS", "forecast_chart", "gains_chart"]


def gains_chart(model, ctx, ax=None):
    """Cumulative gains on the holdout of a fitted :class:`~custlib.analysis.development.ResponseModel` against random targeting.

    The title gives the holdout AUC (Hand & Till 2001; 0.5 = no better than chance).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    t, f = ctx.messages("development"), ctx.fmt
    ax = ax if ax is not None else plt.subplots()[1]
    gains = model.gains_
    x = np.r_[0.0, gains["cum_share_contacted"].to_numpy()]
    y = np.r_[0.0, gains["cum_share_responders"].to_numpy()]
    ax.plot(x, y, marker="o", label=t.gettext("Response model"))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label=t.gettext("Random targeting"))
    ax.set_xlabel(t.gettext("Share of customers contacted (highest scores first)"))
    ax.set_ylabel(t.gettext("Share of responders reached"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="lower right")
    ax.set_title(t.gettext("Cumulative gains on the holdout (AUC {auc})", auc=f.number(model.auc_, 2)))
    return ax


def forecast_chart(forecast, ctx, ax=None):
    """History, forecast and prediction interval of a :class:`~custlib.analysis.development.RevenueForecast`."""
    import matplotlib.pyplot as plt

    t, f = ctx.messages("development"), ctx.fmt
    ax = ax if ax is not None else plt.subplots()[1]
    h, fc = forecast.history, forecast.forecast
    model = value_label(forecast.chosen, MODELS, t)
    ax.plot(h.index, h.to_numpy(), marker=".", label=t.gettext("Actual"))
    ax.plot(fc.index, fc["mean"].to_numpy(), marker=".", label=t.gettext("Forecast ({model})", model=model))
    interval = t.gettext("{level} prediction interval", level=f.percent(forecast.level, digits=0))
    ax.fill_between(fc.index, fc["lower"].to_numpy(), fc["upper"].to_numpy(), alpha=0.25, label=interval)
    ax.set_ylabel(t.gettext("Revenue per month"))
    ax.yaxis.set_major_formatter(ctx.fmt.axis("money"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)  # below the axes: never over the data
    ax.set_title(t.gettext("Monthly revenue and forecast ({model})", model=model))
    return ax
