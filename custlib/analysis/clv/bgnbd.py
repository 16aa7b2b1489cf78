"""BG/NBD model of repeat purchasing: Fader, Hardie & Lee (2005).

Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An
Alternative to the Pareto/NBD Model", *Marketing Science* 24(2), 275-284.
Equation numbers below refer to that paper; the numerically stable form of
the likelihood follows Fader, Hardie & Lee (2005), "Implementing the BG/NBD
Model for Customer Base Analysis in Excel" (brucehardie.com note 004).

Time is measured in the unit of the summary (weeks by default), so ``alpha``
is in that unit as well.

When the fit ends on the search limit of the dropout parameters a or b, the
Beta distribution of the dropout probability is running towards one point:
every customer drops out with the same probability p after a repeat purchase
(a, b -> infinity with a / (a + b) -> p), or p = 0 and nobody drops out (the
NBD model of Ehrenberg 1959, "The pattern of consumer purchases", *Applied
Statistics* 8(1)). The model then falls back to that limit, fitted as such
(:class:`BetaGeoModel`, ``variant_``), and says so with a ``fallback``
:class:`~custlib.analysis.clv.fitting.FitWarning`.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from custlib.analysis.clv.checks import as_horizon, as_rft, shaped_like
from custlib.analysis.clv.fitting import FittedModel, FitWarning, Variant, by_value, fall_back
from custlib.exceptions import InsufficientDataError, ParamsError


def _bgnbd_ll_terms(theta, x, tx, big_t, groups=None):
    """Per-customer log-likelihood and its gradient in (r, alpha, a, b).

    Fader, Hardie & Lee (2005) eq. (6), in the form of their note
    "Implementing the BG/NBD model": L = A1 * A2 * (A3 + [x > 0] A4) with
    ln A1 = lnG(r+x) - lnG(r) + r ln(alpha), ln A2 = ln B(a, b+x) - ln B(a, b),
    ln A3 = -(r+x) ln(alpha+T), ln A4 = ln(a/(b+x-1)) - (r+x) ln(alpha+t_x);
    the sum A3 + A4 is taken with logaddexp.

    ``groups`` is ``by_value(x)``: the gamma, beta and digamma terms depend
    on x alone, so they are evaluated once per distinct x (a few dozen
    values) and gathered, instead of once per customer. The per-customer
    values are the same numbers either way.
    """
    r, alpha, a, b = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    # terms of x alone, per distinct x
    u_has = ux > 0
    u_rx = r + ux
    u_bx1 = np.where(u_has, b + ux - 1, 1.0)
    u_a1 = special.gammaln(u_rx) - special.gammaln(r)
    u_a2 = special.betaln(a, b + ux) - special.betaln(a, b)
    u_a4 = np.log(a) - np.log(u_bx1)
    psi_ab = special.digamma(a + b)
    u_psi_abx = special.digamma(a + b + ux)
    u_psi = psi_ab - u_psi_abx
    u_dr = special.digamma(u_rx) - special.digamma(r) + np.log(alpha)
    u_db = special.digamma(b + ux) - special.digamma(b) + psi_ab - u_psi_abx
    has, rx, bx1 = u_has[inv], u_rx[inv], u_bx1[inv]
    ln_a1 = u_a1[inv] + r * np.log(alpha)
    ln_a2 = u_a2[inv]
    log_at, log_atx = np.log(alpha + big_t), np.log(alpha + tx)
    ln_a3 = -rx * log_at
    ln_a4 = np.where(has, u_a4[inv] - rx * log_atx, -np.inf)
    ln_d = np.logaddexp(ln_a3, ln_a4)
    ll = ln_a1 + ln_a2 + ln_d
    w4 = np.exp(ln_a4 - ln_d)  # share of the A4 term
    w3 = 1.0 - w4
    d_r = u_dr[inv] - w3 * log_at - w4 * log_atx
    d_alpha = r / alpha - rx * (w3 / (alpha + big_t) + w4 / (alpha + tx))
    d_a = u_psi[inv] + w4 / a
    d_b = u_db[inv] - np.where(has, w4 / bx1, 0.0)
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def _common_ll_terms(theta, x, tx, big_t, groups=None):
    """Log-likelihood and gradient in (r, alpha, w) of the BG/NBD with one dropout probability p = w / (1 + w) for all.

    The limit of eq. (6) as the Beta(a, b) of p shrinks to a point (a, b -> infinity,
    a / (a + b) -> p): L = G(r+x)/G(r) alpha^r (1-p)^x [(alpha+T)^-(r+x) + [x > 0] p/(1-p) (alpha+t_x)^-(r+x)],
    written with the odds w = p / (1-p) that the search box keeps inside (0, 1).
    """
    r, alpha, w = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    u_a1 = special.gammaln(r + ux) - special.gammaln(r)
    u_dr = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
    has, rx = x > 0, r + x
    log_at, log_atx = np.log(alpha + big_t), np.log(alpha + tx)
    ln_a3 = -rx * log_at
    ln_a4 = np.where(has, np.log(w) - rx * log_atx, -np.inf)
    ln_d = np.logaddexp(ln_a3, ln_a4)
    ll = u_a1[inv] + r * np.log(alpha) - x * np.log1p(w) + ln_d
    w4 = np.exp(ln_a4 - ln_d)
    w3 = 1.0 - w4
    d_r = u_dr[inv] - w3 * log_at - w4 * log_atx
    d_alpha = r / alpha - rx * (w3 / (alpha + big_t) + w4 / (alpha + tx))
    d_w = -x / (1.0 + w) + w4 / w
    return ll, np.vstack([d_r, d_alpha, d_w])


def _nbd_ll_terms(theta, x, tx, big_t, groups=None):
    """Log-likelihood and gradient in (r, alpha) of the NBD, the BG/NBD without dropout (p = 0).

    L = G(r+x)/G(r) alpha^r (alpha+T)^-(r+x): Poisson purchases at a Gamma(r, alpha) rate
    over the whole age T (Ehrenberg 1959; FHL 2005, eq. 6 with p = 0).
    """
    r, alpha = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    u_a1 = special.gammaln(r + ux) - special.gammaln(r)
    u_dr = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
    log_at = np.log(alpha + big_t)
    ll = u_a1[inv] + r * np.log(alpha) - (r + x) * log_at
    return ll, np.vstack([u_dr[inv] - log_at, r / alpha - (r + x) / (alpha + big_t)])


def _odds_to_probability(theta, cov):
    """(r, alpha, w) -> (r, alpha, p = w/(1+w)), the covariance by the delta method (dp/dw = 1/(1+w)^2)."""
    out = np.array(theta, dtype="float64")
    out[2] = theta[2] / (1.0 + theta[2])
    jac = np.diag([1.0, 1.0, 1.0 / (1.0 + theta[2]) ** 2])
    return out, jac @ cov @ jac


COMMON_DROPOUT = Variant("common_dropout", ("r", "alpha", "p"), _common_ll_terms, 1, _odds_to_probability)
"""Limit of the BG/NBD with one dropout probability p for every customer."""
NO_DROPOUT = Variant("no_dropout", ("r", "alpha"), _nbd_ll_terms, 1)
"""Limit of the BG/NBD without dropout: the NBD."""


def _a_values(a: float) -> list[float]:
    """Values of ``a`` to average over where ``a - 1`` is too close to 0 to divide by."""
    return [a] if abs(a - 1.0) > 1e-7 else [1.0 - 1e-5, 1.0 + 1e-5]


class BetaGeoModel(FittedModel):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    While active, a customer buys as a Poisson process with rate lambda;
    lambda ~ Gamma(shape r, rate alpha) across customers. After each repeat
    purchase the customer drops out for good with probability p;
    p ~ Beta(a, b) across customers.

    Parameters
    ----------
    n_starts, tol
        Starting points and tolerance of the likelihood maximisation (see
        :class:`~custlib.analysis.clv.fitting.FittedModel`).

    Attributes
    ----------
    variant_ : str
        The form the fit kept: ``"BetaGeoModel"`` (the full model, parameters
        ``r``, ``alpha``, ``a``, ``b``), ``"common_dropout"`` (one dropout
        probability for all: ``r``, ``alpha``, ``p``) or ``"no_dropout"`` (the
        NBD: ``r``, ``alpha``). The full fit falls back to a limit when a or b
        ends on the search limit and the limit fits as well by Akaike's
        criterion (:func:`~custlib.analysis.clv.fitting.fall_back`); a
        ``fallback`` FitWarning says so.
    fallback_ : dict or None
        The full fit given up for the limit: its parameters ``from``,
        ``log_likelihood`` and ``at_bounds``.
    params_ : dict
        Maximum likelihood estimates of ``variant_``'s parameters.
    log_likelihood_ : float
        Full log-likelihood (sum over customers of eq. 6, or of its limit) at the optimum.
    standard_errors_ : dict
        Standard errors from the inverse numerical Hessian of the negative LL.
    covariance_ : DataFrame
        The inverse Hessian.
    converged_ : bool
        Whether the (projected) gradient vanished at the optimum.
    at_bounds_ : tuple of str
        Parameters of the kept fit that ended on the search box, 1e-4 to 1e4
        with time rescaled so that the largest T is 10 (for p: odds p/(1-p)
        in that box). The estimates are then limits and the standard errors NaN.
    n_customers_ : int

    Notes
    -----
    The likelihood is maximised with L-BFGS-B over log-parameters from up
    to four starting points; standard errors are the square roots of the
    diagonal of the inverse Hessian of the negative log-likelihood, taken
    by central finite differences of the analytic gradient in the natural
    parameters.

    The methods use the parameters in ``params_``: a model whose parameters
    are ``r, alpha, p`` is the common-dropout limit, ``r, alpha`` the NBD.
    ``params``, ``log_likelihood`` and ``standard_errors`` are read-only
    aliases that raise :class:`~custlib.exceptions.NotFittedError` before fit.
    """

    _param_names = ("r", "alpha", "a", "b")
    _label = "BG/NBD"
    _bound_meaning = {
        "r": "similar_rates",
        "alpha": "similar_rates",
        "a": "extreme_dropout",
        "b": "extreme_dropout",
        "p": "extreme_dropout",
    }
    _scale_param = 1  # alpha is in the unit of time

    def fit(self, frequency, recency, T) -> BetaGeoModel:
        """Fit by maximum likelihood, falling back to a limit of the model when a or b ends on the search limit.

        Parameters
        ----------
        frequency, recency, T : array-like
            Per customer: repeat purchases x, time of the last purchase t_x
            and age T, as returned by :func:`~custlib.analysis.clv.summary.rfm_summary`.

        Returns
        -------
        BetaGeoModel
            ``self``, fitted.

        Raises
        ------
        DataError
            NaN, negative or non-integer frequency, recency > T, recency not 0
            where frequency is 0, or inputs of different length.
        InsufficientDataError
            Fewer than two customers, or no repeat purchase at all.
        ParamsError
            ``n_starts`` or ``tol`` is invalid.
        """
        self._check_settings()
        x, tx, big_t = as_rft(frequency, recency, T)
        if len(x) < 2:
            raise InsufficientDataError(
                f"frequency: the BG/NBD model needs at least two customers, got {len(x)}",
                code="too_few_customers",
                needed=2,
                found=len(x),
            )
        if not (x > 0).any():
            raise InsufficientDataError(
                "frequency: no customer has a repeat purchase; the BG/NBD model cannot be fitted", code="no_repeat_purchases"
            )
        if not (big_t > 0).any():
            raise InsufficientDataError("T: every customer has age 0; nothing to fit", code="no_customer_age")
        # Fit with time divided by `scale` (max T = 10) so that the search box
        # means the same whatever the time unit; alpha scales with time.
        scale = float(big_t.max()) / 10.0
        groups = by_value(x)
        data, scaled = (x, tx, big_t, groups), (x, tx / scale, big_t / scale, groups)
        # Starting values: a mean purchase rate r / alpha equal to the observed
        # repeat rate, with a few shapes for the heterogeneity and dropout.
        rate = max(x.sum() / scaled[2].sum(), 1e-3)
        grid = [(1.0, 1.0, 1.0), (0.5, 1.0, 3.0), (2.0, 0.5, 1.0), (0.25, 2.0, 5.0)]
        starts = [(r0, r0 / rate, a0, b0) for r0, a0, b0 in grid]
        full = self._maximise(self._full_variant(_bgnbd_ll_terms), data, scaled, scale, starts)
        kept = self._dropout_limit(full, data, scaled, scale) if {"a", "b"} & set(full.at_bounds) else full
        self._store(kept, None if kept is full else full)
        return self

    def _dropout_limit(self, full, data, scaled, scale):
        """The limit a fit with a or b on the search limit runs towards, or ``full`` when no limit fits as well.

        First one dropout probability for all (Beta(a, b) shrunk to the point
        a / (a + b)); when that probability ends on its lower limit, no dropout
        (the NBD). A limit is kept if :func:`~custlib.analysis.clv.fitting.fall_back` says so.
        """
        r, alpha, a, b = full.theta
        alpha_s = alpha / scale
        common = self._maximise(COMMON_DROPOUT, data, scaled, scale, [(r, alpha_s, a / b), (r, alpha_s, 0.05), (r, alpha_s, 1.0)])
        if "p" in common.at_bounds and common.params["p"] < 0.5:
            nbd = self._maximise(NO_DROPOUT, data, scaled, scale, [(r, alpha_s), (1.0, alpha_s), (r, r / 0.1)])
            if fall_back(full, nbd, 2):
                return nbd
        return common if fall_back(full, common, 1) else full

    def _fallback_warning(self, fit, full) -> FitWarning:
        bounds = ", ".join(full.at_bounds)
        if fit.variant is NO_DROPOUT:
            return FitWarning(
                f"BG/NBD: {bounds} reached the search limit and the data show no customer dropping out; fitted without "
                "dropout (NBD), so the model cannot say whether a customer is still active",
                code="fallback",
                model=self._label,
                variant=fit.variant.code,
            )
        p = fit.params["p"]
        return FitWarning(
            f"BG/NBD: {bounds} reached the search limit because customers do not differ measurably in how likely they are "
            f"to stop buying; fitted with one dropout probability for all, p = {p:.4g} after each repeat purchase",
            code="fallback",
            model=self._label,
            variant=fit.variant.code,
            p=p,
        )

    def _parts(self):
        """(r, alpha, log-odds of dropping out after a repeat purchase as a function of x, variant code)."""
        self._check_fitted()
        p = self.params_
        r, alpha = p["r"], p["alpha"]
        if "a" in p:
            a, b = p["a"], p["b"]
            return r, alpha, lambda x: np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)), "full"
        if "p" in p:
            lo = np.log(p["p"]) - np.log1p(-p["p"])
            return r, alpha, lambda x: np.full(np.shape(x), lo), "common_dropout"
        return r, alpha, lambda x: np.full(np.shape(x), -np.inf), "no_dropout"

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] of a customer just acquired.

        Fader, Hardie & Lee (2005) eq. (7):
        E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))],
        evaluated after Euler's transformation
        2F1(r, b; c; z) = (1-z)^(c-r-b) 2F1(c-r, c-b; c; z), which gives
        (alpha/(alpha+t))^r 2F1(...) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z).
        With one dropout probability p for all it is (1 - (alpha/(alpha+p t))^r) / p
        (FHL 2005, eq. 2 with lambda integrated out), and without dropout r t / alpha.

        Parameters
        ----------
        t : float or array-like
            Length of the period, in the model's time unit (>= 0).

        Returns
        -------
        float, ndarray or Series
            Shaped like ``t``.

        Raises
        ------
        NotFittedError, ParamsError
        """
        r, alpha, _, variant = self._parts()
        tt = as_horizon(t)
        if variant == "no_dropout":
            return shaped_like(r * tt / alpha, t)
        if variant == "common_dropout":
            p = self.params_["p"]
            return shaped_like(-np.expm1(-r * np.log1p(p * tt / alpha)) / p, t)
        a, b = self.params_["a"], self.params_["b"]
        z = tt / (alpha + tt)
        vals = []
        for a_ in _a_values(a):
            c = a_ + b - 1
            term = (1 - z) ** (a_ - 1) * special.hyp2f1(c - r, a_ - 1, c, z)
            vals.append(c / (a_ - 1) * (1 - term))
        return shaped_like(np.mean(vals, axis=0), t)

    def probability_alive(self, frequency, recency, T):
        """Probability that each customer is still active at age T.

        Fader, Hardie & Lee (2008), note "Computing P(alive) using
        the BG/NBD model": P(alive) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
        It is 1 for x = 0: in the BG/NBD model a customer can only drop out
        right after a repeat purchase (see :meth:`probability_active`). With one
        dropout probability p for all, a/(b+x-1) becomes its limit p/(1-p); without
        dropout P(alive) is 1.

        Parameters
        ----------
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the inputs.

        Raises
        ------
        NotFittedError, DataError
        """
        r, alpha, dropout_log_odds, _ = self._parts()
        x, tx, big_t = as_rft(frequency, recency, T)
        has = x > 0
        log_odds = np.where(has, dropout_log_odds(x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx)), -np.inf)
        return shaped_like(special.expit(-log_odds), frequency, recency, T)

    def probability_active(self, frequency, recency, T):
        """:meth:`probability_alive` where the model can tell, NaN where it cannot: what a report shows.

        The BG/NBD lets a customer drop out only right after a repeat purchase,
        so it rates every customer without one (x = 0) alive with probability 1,
        however long ago they bought: for them the model cannot tell (FHL 2005,
        sec. 2; their outlook is :meth:`probability_of_purchase`). A model fitted
        without dropout (the ``no_dropout`` fallback) cannot tell for anyone.

        Returns
        -------
        float, ndarray or Series
            Shaped like the inputs; NaN for x = 0, and for everyone without dropout.
        """
        _, _, _, variant = self._parts()
        x, tx, big_t = as_rft(frequency, recency, T)
        p = np.asarray(self.probability_alive(x, tx, big_t), dtype="float64")
        p = np.where((x > 0) & (variant != "no_dropout"), p, np.nan)
        return shaped_like(p, frequency, recency, T)

    def probability_of_purchase(self, t, frequency, recency, T):
        """Probability of at least one purchase in (T, T+t] given a customer's history.

        A customer alive at T buys before T+t unless the first purchase of the
        Poisson process comes later, and given the history lambda | alive is
        Gamma(r+x, alpha+T) (FHL 2005, sec. 4), so
        P(Y(t) > 0 | x, t_x, T) = P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x)).
        Unlike P(alive) it is informative for customers without a repeat purchase.

        Parameters
        ----------
        t : float
            Length of the future period, in the model's time unit (>= 0).
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the customer inputs.

        Raises
        ------
        NotFittedError, DataError, ParamsError
        """
        r, alpha, _, _ = self._parts()
        tt = _one_horizon(t)
        x, tx, big_t = as_rft(frequency, recency, T)
        alive = np.asarray(self.probability_alive(x, tx, big_t), dtype="float64")
        buys = -np.expm1((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + tt)))
        return shaped_like(alive * buys, frequency, recency, T)

    def conditional_expected_purchases(self, t, frequency, recency, T):
        """Expected repeat purchases in (T, T+t] given a customer's history.

        Fader, Hardie & Lee (2005) eq. (10):
        E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
            * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
            / [1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)],
        with the Gauss hypergeometric function ``scipy.special.hyp2f1``, after
        Euler's transformation (as in :meth:`expected_purchases`), so that
        the 2F1 term reads (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
        z = t/(alpha+T+t), and stays well conditioned for large x. With one
        dropout probability p for all it is
        P(alive) (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p, and without dropout
        (r+x) t / (alpha+T) (lambda | history ~ Gamma(r+x, alpha+T)).

        Parameters
        ----------
        t : float
            Length of the future period, in the model's time unit (>= 0).
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the customer inputs.

        Raises
        ------
        NotFittedError, DataError, ParamsError
        """
        r, alpha, _, variant = self._parts()
        tt = _one_horizon(t)
        x, tx, big_t = as_rft(frequency, recency, T)
        p_alive = np.asarray(self.probability_alive(x, tx, big_t), dtype="float64")
        if variant == "no_dropout":
            return shaped_like((r + x) * tt / (alpha + big_t), frequency, recency, T)
        if variant == "common_dropout":
            p = self.params_["p"]
            value = -np.expm1((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + p * tt))) / p
            return shaped_like(value * p_alive, frequency, recency, T)
        a, b = self.params_["a"], self.params_["b"]
        z = tt / (alpha + big_t + tt)
        vals = []
        for a_ in _a_values(a):
            c = a_ + b + x - 1
            term = (1 - z) ** (a_ - 1) * special.hyp2f1(a_ + b - 1 - r, a_ - 1, c, z)
            vals.append(c / (a_ - 1) * (1 - term))
        return shaped_like(np.mean(vals, axis=0) * p_alive, frequency, recency, T)


def _one_horizon(t) -> float:
    tt = as_horizon(t)
    if tt.size != 1:
        raise ParamsError("t: expected one period length")
    return float(tt[0])


def fit_bgnbd(frequency, recency, T, **settings) -> BetaGeoModel:
    """Fit the BG/NBD model (Fader, Hardie & Lee 2005) by maximum likelihood.

    Parameters
    ----------
    frequency, recency, T : array-like
        Per customer repeat purchases, recency and age (see :func:`~custlib.analysis.clv.summary.rfm_summary`).
    **settings
        Passed to :class:`BetaGeoModel` (``n_starts``, ``tol``).

    Returns
    -------
    BetaGeoModel
        Fitted; ``.params`` has keys ``r``, ``alpha``, ``a``, ``b``.

    Raises
    ------
    DataError, InsufficientDataError, ParamsError
        See :meth:`BetaGeoModel.fit`.
    """
    return BetaGeoModel(**settings).fit(frequency, recency, T)
