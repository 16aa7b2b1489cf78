"""Gamma-Gamma model of spend per transaction: Colombo & Jiang (1999).

Colombo & Jiang (1999), "A stochastic RFM model", *Journal of Interactive
Marketing* 13(3), 2-12, as set out in Fader & Hardie (2013), "The Gamma-Gamma
Model of Monetary Value" (brucehardie.com note 025).

When the fit ends on the search limit, the model falls back to the limit it
runs towards (:class:`GammaGammaModel`, ``variant_``): q and gamma -> infinity
at a fixed ratio q / gamma means one spend rate nu for all, so every customer's
expected spend is the population mean; p -> infinity means a customer's
purchases do not vary in value, so their own mean is their expected spend.
A ``fallback`` :class:`~custlib.analysis.clv.fitting.FitWarning` says so.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from custlib.analysis.clv.checks import as_frequency, as_vector, check_same_length, shaped_like
from custlib.analysis.clv.fitting import FittedModel, FitWarning, Variant, by_value, fall_back
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


def _common_spend_ll_terms(theta, x, m, groups=None):
    """Log-likelihood and gradient in (p, mean) of the mean spend when every customer has the same spend rate nu.

    The limit of the Gamma-Gamma as nu ~ Gamma(q, gamma) shrinks to the point nu = q / gamma
    (q, gamma -> infinity): the x transaction values are Gamma(p, nu), their mean m is
    Gamma(p x, rate x nu), written with the mean spend per transaction mean = p / nu:
    ln f(m | x) = p x ln(x p / mean) + (p x - 1) ln m - x p m / mean - lnG(p x).
    """
    p, mean = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    u_g = special.gammaln(p * ux)
    u_psi = special.digamma(p * ux)
    px, log_m = p * x, np.log(m)
    log_rate = np.log(x * p / mean)
    ll = px * log_rate + (px - 1) * log_m - px * m / mean - u_g[inv]
    d_p = x * (log_rate + 1.0 + log_m - m / mean - u_psi[inv])
    d_mean = px / mean * (m / mean - 1.0)
    return ll, np.vstack([d_p, d_mean])


def _own_spend_ll_terms(theta, x, m, groups=None):
    """Log-likelihood and gradient in (q, delta) of the mean spend when a customer's purchases do not vary in value.

    The limit of the Gamma-Gamma as p -> infinity with p gamma = delta fixed: a
    customer's mean spend is their own spend per transaction zeta = p / nu, which is
    inverse-Gamma(q, delta) across customers: ln f(m) = q ln delta - lnG(q) - (q+1) ln m - delta / m.
    """
    q, delta = theta
    log_m = np.log(m)
    ll = q * np.log(delta) - special.gammaln(q) - (q + 1) * log_m - delta / m
    d_q = np.log(delta) - special.digamma(q) - log_m
    d_delta = q / delta - 1.0 / m
    return ll, np.vstack([d_q, d_delta])


COMMON_SPEND = Variant("common_spend", ("p", "mean"), _common_spend_ll_terms, 1)
"""Limit of the Gamma-Gamma with one spend rate for all: the expected spend is the mean for everyone."""
OWN_SPEND = Variant("own_spend", ("q", "delta"), _own_spend_ll_terms, 1)
"""Limit of the Gamma-Gamma without spread within a customer: the expected spend is the customer's own mean."""


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
    variant_ : str
        The form the fit kept: ``"GammaGammaModel"`` (``p``, ``q``, ``gamma``),
        ``"common_spend"`` (one spend rate for all: ``p``, ``mean``) or
        ``"own_spend"`` (no spread within a customer: ``q``, ``delta``), see the module.
    standard_errors_, covariance_, converged_, at_bounds_, n_customers_, fallback_
        As in :class:`~custlib.analysis.clv.bgnbd.BetaGeoModel` (spend is rescaled by its mean for the
        search box; ``n_customers_`` counts repeat customers).
    """

    _param_names = ("p", "q", "gamma")
    _label = "Gamma-Gamma"
    _bound_meaning = {
        "p": "extreme_spread",
        "q": "similar_spend",
        "gamma": "similar_spend",
        "mean": "similar_spend",
        "delta": "extreme_spread",
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
        data, scaled = (x, m, groups), (x, m / scale, groups)
        full = self._maximise(self._full_variant(_gg_ll_terms), data, scaled, scale, starts)
        kept = self._spend_limit(full, data, scaled, scale) if full.at_bounds else full
        self._store(kept, None if kept is full else full)
        return self

    def _spend_limit(self, full, data, scaled, scale):
        """The limit a fit on the search limit runs towards (see the module), or ``full`` when it fits worse (fall_back)."""
        p, q, _ = full.theta
        if {"q", "gamma"} & set(full.at_bounds):
            limit = self._maximise(COMMON_SPEND, data, scaled, scale, [(p, 1.0), (1.0, 1.0), (4.0, 1.0)])
        elif "p" in full.at_bounds and p > 1:
            q0 = max(q, 1.5)
            limit = self._maximise(OWN_SPEND, data, scaled, scale, [(q0, q0 - 1.0), (2.0, 1.0), (5.0, 4.0)])
        else:
            return full
        return limit if fall_back(full, limit, 1) else full

    def _fallback_warning(self, fit, full) -> FitWarning:
        bounds = ", ".join(full.at_bounds)
        if fit.variant is COMMON_SPEND:
            mean = fit.params["mean"]
            return FitWarning(
                f"Gamma-Gamma: {bounds} reached the search limit because average spend does not differ measurably between "
                f"customers beyond the noise of single purchases; every customer's expected spend is the mean, {mean:,.2f}",
                code="fallback",
                model=self._label,
                variant=fit.variant.code,
                mean=mean,
            )
        return FitWarning(
            f"Gamma-Gamma: {bounds} reached the search limit because a customer's purchases barely vary in value; "
            "each customer's expected spend is their own mean spend",
            code="fallback",
            model=self._label,
            variant=fit.variant.code,
        )

    def population_mean_value(self) -> float:
        """Mean spend per transaction across customers, p * gamma / (q - 1).

        Fader & Hardie (2013): E[p / nu] with nu ~ Gamma(q, gamma); NaN when q <= 1
        (the mean is then infinite). In the limits: ``mean`` with one spend rate
        for all, delta / (q - 1) (the inverse-Gamma mean) without spread within a customer.
        """
        self._check_fitted()
        par = self.params_
        if "mean" in par:  # one spend rate for all
            return float(par["mean"])
        num, q = (par["p"] * par["gamma"], par["q"]) if "gamma" in par else (par["delta"], par["q"])
        return num / (q - 1) if q > 1 else float("nan")

    def conditional_expected_value(self, frequency, monetary_value):
        """Expected spend per future transaction given a customer's history.

        Fader & Hardie (2013), the posterior mean of p / nu:
        E[M | p, q, gamma, m_x, x] = p (gamma + x m_x) / (p x + q - 1)
        = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m_x,
        a weighted mean of the population mean and the customer's own mean.
        For x = 0 it is the population mean (NaN when q <= 1). With one spend
        rate for all (the ``common_spend`` limit, weight 0 on the own mean) it
        is the mean for everyone; without spread within a customer
        (``own_spend``, weight 1) the customer's own mean.

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
        x, m = _xm(frequency, monetary_value)
        if "gamma" not in self.params_:  # a limit: the mean for everyone, or the customer's own mean
            pop = self.population_mean_value()
            own = "delta" in self.params_
            return shaped_like(np.where((x > 0) & own, m, pop), frequency, monetary_value)
        p, q, g = (self.params_[k] for k in self._param_names)
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
