"""Customer lifetime value: BG/NBD purchases, Gamma-Gamma spend, discounted CLV.

The "buy 'til you die" models of Fader, Hardie and colleagues, fitted by
maximum likelihood on a per-customer recency-frequency-monetary summary,
one model per module (as in lifetimes and pymc-marketing):

- :mod:`~custlib.analysis.clv.summary`: :func:`rfm_summary`,
  :func:`calibration_holdout_summary` (order lines -> frequency, recency, T,
  monetary_value per customer);
- :mod:`~custlib.analysis.clv.bgnbd`: :class:`BetaGeoModel`, :func:`fit_bgnbd`
  (Fader, Hardie & Lee 2005);
- :mod:`~custlib.analysis.clv.gamma_gamma`: :class:`GammaGammaModel`,
  :func:`fit_gamma_gamma` (Colombo & Jiang 1999; Fader & Hardie 2013);
- :mod:`~custlib.analysis.clv.discounted`: :func:`customer_lifetime_value`,
  :func:`lifetime_value_table` (Gupta et al. 2006, eq. 1);
- :mod:`~custlib.analysis.clv.holdout`: :func:`holdout_check`;
- :mod:`~custlib.analysis.clv.value`: :func:`lifetime_value_analysis`, the
  report's one call, and :class:`LifetimeValueResult`;
- :mod:`~custlib.analysis.clv.fitting`: the shared maximum likelihood machinery
  (:func:`one_blas_thread`, :class:`FitWarning`).

Charts and tables of these results are in :mod:`custlib.present.clv`.
"""

from custlib.analysis.clv.bgnbd import BetaGeoModel, fit_bgnbd
from custlib.analysis.clv.discounted import customer_lifetime_value, lifetime_value_table
from custlib.analysis.clv.fitting import FitWarning, one_blas_thread
from custlib.analysis.clv.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from custlib.analysis.clv.holdout import holdout_check
from custlib.analysis.clv.summary import calibration_holdout_summary, rfm_summary
from custlib.analysis.clv.value import FIT_SAMPLE, LifetimeValueResult, Note, lifetime_value_analysis, sample_rows

__all__ = [
    "FIT_SAMPLE",
    "BetaGeoModel",
    "FitWarning",
    "GammaGammaModel",
    "LifetimeValueResult",
    "Note",
    "calibration_holdout_summary",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "holdout_check",
    "lifetime_value_analysis",
    "lifetime_value_table",
    "one_blas_thread",
    "rfm_summary",
    "sample_rows",
]
