"""Gamma-Gamma model of spend per transaction: Colombo & Jiang (1999).

Colombo & Jiang (1999), "A stochastic RFM model", *Journal of Interactive
Marketing* 13(3), 2-12, as set out in Fader & Hardie (2013), "The Gamma-Gamma
Model of Monetary Value" (brucehardie.com note 025).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from custlib.analysis.clv.checks import as_frequency, as_vector, check_same_length, shaped_like
from custlib.analysis.clv.fitting import FittedModel, by_value
from custlib.exceptions import DataError, InsufficientDataError


def _gg_ll_terms(theta, x, m, groups=None):
    """Per-customer log-likelihood of the mean spend and its gradient in (p, q, gamma).

    Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", the
    marginal density of the mean spend m of x transactions:
    f(m | x) = G(px+q) / (G(px) G(q)) * gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).

    ``groups`` is ``by_value(x)``: the gamma and digamma terms depend on x
    alone and are evaluated once per distinct x, then gathered (same values).
    """
    p, q, g = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    u_px = p * ux
    u_g = special.gammaln(u_px + q) - special.gammaln(u_px) - special.gammaln(q) + q * np.log(g)
    u_psi = special.digamma(u_px + q)
    u_dp = u_psi - special.digamma(u_px)
    u_dq = u_psi - special.digamma(q) + np.log(g)
    px = u_px[inv]
    s = g + m * x
    log_m, log_x, log_s = np.log(m), np.log(x), np.log(s)
    ll = u_g[inv] + (px - 1) * log_m + px * log_x - (px + q) * log_s
    d_p = x * (u_dp[inv] + log_m + log_x - log_s)
    d_q = u_dq[inv] - log_s
    d_g = q / g - (px + q) / s
    return ll, np.vstack([d_p, d_q, d_g])


def _xm(frequency, monetary_value):
    x = as_frequency(frequency)
    m = as_vector(monetary_value, "monetary_value")
    check_same_length(frequency=x, monetary_value=m)
    bad = (x > 0) & (m <= 0)
    if bad.any():
        raise DataError(f"monetary_value: must be > 0 where frequency > 0 (first at position {int(np.argmax(bad))}: {m[bad][0]})")
    return x, m


class GammaGammaModel(FittedModel):
    """Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader & Hardie 2013).

    A customer's transaction values are Gamma(p, nu) with the same shape p
    for everyone; the scale nu ~ Gamma(q, gamma) across customers. The mean
    spend is assumed independent of the purchase process. Fitted on the
    customers with at least one repeat purchase, on their mean repeat spend.

    Parameters
    ----------
    n_starts, tol
        Starting points and tolerance of the likelihood maximisation (see
        :class:`~custlib.analysis.clv.fitting.FittedModel`).

    Attributes
    ----------
    params_ : dict
        Keys ``p``, ``q``, ``gamma``.
    log_likelihood_ : float
        Sum over repeat customers of the log-density of their mean spend.
    standard_errors_, covariance_, converged_, at_bounds_, n_customers_
        As in :class:`~custlib.analysis.clv.bgnbd.BetaGeoModel` (spend is rescaled by its mean for the
        search box; ``n_customers_`` counts repeat customers).
    """

    _param_names = ("p", "q", "gamma")
    _label = "Gamma-Gamma"
    _bound_meaning = {
        "p": "extreme_spread",
        "q": "similar_spend",
        "gamma": "similar_spend",
    }
    _scale_param = 2  # gamma is in the unit of spend

    def fit(self, frequency, monetary_value) -> GammaGammaModel:
        """Fit by maximum likelihood on the customers with ``frequency > 0``.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases per customer.
        monetary_value : array-like
            Mean value of the repeat purchases (ignored where frequency is 0).

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.

        Raises
        ------
        DataError
            NaN, negative or non-integer frequency, non-positive spend of a
            repeat customer, inputs of different length.
        InsufficientDataError
            Fewer than three repeat customers, or all their mean spends equal.
        ParamsError
            ``n_starts`` or ``tol`` is invalid.
        """
        self._check_settings()
        x, m = _xm(frequency, monetary_value)
        keep = x > 0
        x, m = x[keep], m[keep]
        if len(x) < 3:
            raise InsufficientDataError(
                f"frequency: the Gamma-Gamma model needs at least three repeat customers, got {len(x)}",
                code="too_few_repeat_customers",
                needed=3,
                found=len(x),
            )
        if np.ptp(m) == 0:
            raise InsufficientDataError(
                "monetary_value: every repeat customer has the same mean spend; the spread of spend cannot be estimated",
                code="same_spend",
            )
        # Fit with spend divided by its mean so that the search box means the
        # same whatever the currency; gamma scales with spend.
        scale = float(m.mean())
        groups = by_value(x)
        # Starting values: population mean spend p * gamma / (q - 1) equal to
        # the observed mean (1 on the fitting scale), for a few shapes p and q.
        grid = [(2.0, 3.0), (1.0, 2.0), (8.0, 4.0), (0.5, 1.5)]
        starts = [(p0, q0, (q0 - 1) / p0) for p0, q0 in grid]
        self._fit_likelihood(_gg_ll_terms, (x, m, groups), (x, m / scale, groups), scale, starts)
        return self

    def population_mean_value(self) -> float:
        """Mean spend per transaction across customers, p * gamma / (q - 1).

        Fader & Hardie (2013): E[p / nu] with nu ~ Gamma(q, gamma); NaN when q <= 1
        (the mean is then infinite).
        """
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._param_names)
        return p * g / (q - 1) if q > 1 else float("nan")

    def conditional_expected_value(self, frequency, monetary_value):
        """Expected spend per future transaction given a customer's history.

        Fader & Hardie (2013), the posterior mean of p / nu:
        E[M | p, q, gamma, m_x, x] = p (gamma + x m_x) / (p x + q - 1)
        = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m_x,
        a weighted mean of the population mean and the customer's own mean.
        For x = 0 it is the population mean (NaN when q <= 1).

        Parameters
        ----------
        frequency, monetary_value : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the inputs.

        Raises
        ------
        NotFittedError, DataError
        """
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._param_names)
        x, m = _xm(frequency, monetary_value)
        mm = np.where(x > 0, m, 0.0)
        denom = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denom > 0, p * (g + x * mm) / denom, np.nan)
        return shaped_like(value, frequency, monetary_value)


def fit_gamma_gamma(frequency, monetary_value, **settings) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model (Fader & Hardie 2013) by maximum likelihood.

    Parameters
    ----------
    frequency, monetary_value : array-like
        Repeat purchases and mean repeat spend per customer (see
        :func:`~custlib.analysis.clv.summary.rfm_summary`); customers with frequency 0 are ignored.
    **settings
        Passed to :class:`GammaGammaModel` (``n_starts``, ``tol``).

    Returns
    -------
    GammaGammaModel
        Fitted; ``.params`` has keys ``p``, ``q``, ``gamma``.

    Raises
    ------
    DataError, InsufficientDataError, ParamsError
        See :meth:`GammaGammaModel.fit`.
    """
    return GammaGammaModel(**settings).fit(frequency, monetary_value)
