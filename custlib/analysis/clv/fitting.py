"""Maximum likelihood machinery shared by the lifetime value models.

Fits maximise the log-likelihood with L-BFGS-B over log-parameters from
several starting points, with time (spend) rescaled by the model so that the
largest T is 10 (the mean spend is 1) and every parameter kept in [1e-4, 1e4]
on that scale; a parameter that ends on that box means the data show no
spread or no dropout. The box is wide enough that a parameter on it is running
along a ridge of the likelihood towards a limit of the model (e.g. a Beta or
Gamma mixing distribution shrinking to one point), which no wider box reaches;
the model then refits that limit as a model of its own and keeps it when it
fits as well (:func:`fall_back`), saying so (``variant_`` and a
:class:`FitWarning` ``fallback``); otherwise the fit says that it ended on the
limit (``at_bounds_`` and a :class:`FitWarning` ``search_limit``). Standard errors come from the inverse of
the Hessian of the negative log-likelihood at the optimum (the observed
information; e.g. Pawitan (2001), *In All Likelihood*, section 2.5), taken in
the natural parameters by central finite differences of the analytic gradient.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from custlib.exceptions import NotFittedError, ParamsError

#: What it means that a parameter ends on the search limit, by code (English, for logs).
LIMIT_MEANINGS = {
    "similar_rates": "purchase rates barely differ between customers",
    "extreme_dropout": "dropout sits at an extreme: almost no one, or almost everyone, drops out",
    "extreme_spread": "the spread of a customer's transaction values is extreme",
    "similar_spend": "average spend barely differs between customers beyond transaction noise",
}


class FitWarning(RuntimeWarning):
    """A caveat of a fit: English text for logs, a ``code`` and its ``fields`` for the report.

    Codes: ``not_converged`` (parameters, gradient), ``no_standard_errors``
    (model), ``search_limit`` (model; limits: a key of :data:`LIMIT_MEANINGS`
    -> the parameters on the limit with that meaning, e.g. ``{"extreme_dropout": "a, b"}``)
    and ``fallback`` (model, variant: the limit the fit fell back to, and its
    headline parameter: ``p`` of ``common_dropout``, ``mean`` of ``common_spend``).
    """

    def __init__(self, message: str, *, code: str, **fields) -> None:
        super().__init__(message)
        self.code = code
        self.fields = fields


# Parameters are searched in a box on the fitting scale (time or spend divided
# by a data scale, see the models' fit): below 1e-4 or above 1e4 a parameter
# only says "no heterogeneity" or "no dropout", and the hypergeometric terms
# stop being computable much beyond it.
LOG_BOUNDS = (np.log(1e-4), np.log(1e4))


@functools.cache
def _blas_controller():
    """The BLAS libraries loaded in this process, looked up once (a look-up takes milliseconds, a limit microseconds)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """Context that runs BLAS on one thread, restoring the previous setting on exit.

    Model fits make thousands of small BLAS calls (L-BFGS-B on three or four
    parameters, Newton steps of a logit, state-space filters); with several
    BLAS threads, and other processes on the same cores, each call waits on
    thread hand-offs that cost several times the arithmetic. The BLAS
    libraries are looked up on the first call (numpy's and scipy's are loaded
    by then: this module imports scipy); one loaded later is not limited.
    ``threadpoolctl`` ships with scikit-learn; without it nothing changes.
    Contexts nest: the innermost restores what the outer one set.
    """
    try:
        controller = _blas_controller()
    except ImportError:  # pragma: no cover - scikit-learn requires it
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


def maximise_likelihood(neg_ll_grad, starts, names, tol):
    """Minimise a negative log-likelihood over log-parameters from several starts.

    ``neg_ll_grad(theta_natural)`` returns (negative LL, gradient in natural
    parameters). Each start is run with L-BFGS-B on log-parameters inside
    ``LOG_BOUNDS``; the best end point is returned with whether its
    projected gradient is small and which parameters sit on a bound.
    """

    def objective(log_theta):
        theta = np.exp(log_theta)
        with np.errstate(all="ignore"):
            value, grad = neg_ll_grad(theta)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(log_theta)
        return value, grad * theta  # chain rule: d/d log(theta) = theta * d/d theta

    lo, hi = LOG_BOUNDS
    best = None
    for start in starts:
        x0 = np.clip(np.log(np.asarray(start, dtype="float64")), lo, hi)
        res = optimize.minimize(
            objective,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(lo, hi)] * len(x0),
            options={"ftol": 1e-15, "gtol": tol, "maxiter": 5000, "maxcor": 20},
        )
        if best is None or res.fun < best.fun:
            best = res
    _, grad = objective(best.x)
    at_low = best.x <= lo + 1e-6
    at_high = best.x >= hi - 1e-6
    projected = np.where((at_low & (grad > 0)) | (at_high & (grad < 0)), 0.0, grad)
    converged = bool(np.isfinite(best.fun) and np.max(np.abs(projected)) < 1e-4)
    if not converged:
        largest = float(np.max(np.abs(projected)))
        warnings.warn(
            FitWarning(
                f"maximum likelihood for ({', '.join(names)}) may not have converged (largest gradient {largest:.2g})",
                code="not_converged",
                parameters=", ".join(names),
                gradient=largest,
            ),
            stacklevel=4,
        )
    at_bounds = tuple(n for n, b in zip(names, at_low | at_high, strict=True) if b)
    return np.exp(best.x), converged, at_bounds


def hessian_covariance(neg_ll_grad, theta):
    """Covariance as the inverse of the numerical Hessian of the negative LL.

    The Hessian is built by central differences of the analytic gradient in
    the natural parameters (step 1e-5 relative), then symmetrised. Returns
    (covariance, standard errors, ok); NaN and ok False where the Hessian is
    not positive definite.
    """
    k = len(theta)
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(abs(theta[i]), 1e-8)
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        hess[:, i] = (neg_ll_grad(up)[1] - neg_ll_grad(down)[1]) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan), np.full(k, np.nan), False
    return cov, np.sqrt(np.diag(cov)), True


@dataclass(frozen=True)
class Variant:
    """One form of a model a fit can take: the full model, or the limit a fit on the search limit falls back to.

    ``ll_terms(theta, *data)`` returns the per-customer log-likelihood and its
    gradient in the parameters ``names``; the parameter at ``scale_param`` is in
    the unit of the data (time or spend) and is rescaled by the fit.
    ``natural(theta, covariance)`` maps the searched parameters to the ones
    reported (e.g. odds to a probability, with the covariance by the delta method).
    """

    code: str
    names: tuple[str, ...]
    ll_terms: Callable
    scale_param: int
    natural: Callable | None = None


@dataclass(frozen=True)
class LikelihoodFit:
    """The maximum of one :class:`Variant`'s likelihood: estimates in the data's units, with their covariance."""

    variant: Variant
    theta: np.ndarray
    log_likelihood: float
    covariance: np.ndarray
    converged: bool
    at_bounds: tuple[str, ...]
    hessian_ok: bool
    n: int

    @property
    def params(self) -> dict[str, float]:
        return {k: float(v) for k, v in zip(self.variant.names, self.theta, strict=True)}


class FittedModel:
    """Base of the models: their settings, the likelihood fit and scikit-learn style access to fitted attributes.

    A subclass sets ``_param_names`` (of the full model), ``_label`` (the
    model's name, e.g. ``"BG/NBD"``), ``_bound_meaning`` (parameter -> a code
    of :data:`LIMIT_MEANINGS`, what it means that the parameter ends on the
    search limit) and ``_scale_param`` (the position of the parameter in the
    unit of the data, which the fit rescales); its ``fit`` checks the data,
    calls :meth:`_check_settings` and :meth:`_maximise` and stores the fit it
    keeps with :meth:`_store` (the full model's, or a limit it falls back to).

    Parameters
    ----------
    n_starts : int
        Number of starting points of the likelihood maximisation, 1 to 4
        (the best end point is kept).
    tol : float
        Projected-gradient tolerance of the L-BFGS-B optimiser on the mean log-likelihood.
    """

    _param_names: tuple[str, ...] = ()
    _label = ""
    _bound_meaning: dict[str, str] = {}
    _scale_param = 0

    def __init__(self, n_starts: int = 3, tol: float = 1e-9):
        self.n_starts = n_starts
        self.tol = tol

    def _check_settings(self) -> None:
        """ParamsError unless ``n_starts`` is a whole number from 1 to 4 and ``tol`` is positive."""
        if not isinstance(self.n_starts, int | np.integer) or not 1 <= self.n_starts <= 4:
            raise ParamsError(f"n_starts: expected an integer from 1 to 4, got {self.n_starts!r}")
        if not self.tol > 0:
            raise ParamsError(f"tol: expected a positive number, got {self.tol!r}")

    def _full_variant(self, ll_terms) -> Variant:
        """The full model as a :class:`Variant` (code: the class name) with the log-likelihood terms ``ll_terms``."""
        return Variant(type(self).__name__, self._param_names, ll_terms, self._scale_param)

    def _maximise(self, variant: Variant, data: tuple, scaled: tuple, scale: float, starts) -> LikelihoodFit:
        """Maximise ``variant``'s log-likelihood, BLAS on one thread.

        The maximum is searched on ``scaled``, the data with time or spend
        divided by ``scale``, from the first ``n_starts`` of ``starts`` (on that
        scale, see :func:`maximise_likelihood`); the parameter at
        ``variant.scale_param`` is then multiplied by ``scale``, and the
        log-likelihood and the Hessian covariance are taken on ``data``.
        """
        n = len(data[0])

        def neg_ll_grad(theta):  # mean over customers on the fitting scale: the optimiser's tolerance means the same for any n
            ll, grad = variant.ll_terms(theta, *scaled)
            return -ll.sum() / n, -grad.sum(axis=1) / n

        def total(theta):
            ll, grad = variant.ll_terms(theta, *data)
            return -ll.sum(), -grad.sum(axis=1)

        with one_blas_thread():
            theta, converged, at_bounds = maximise_likelihood(neg_ll_grad, starts[: self.n_starts], variant.names, self.tol)
            theta[variant.scale_param] *= scale
            cov, _, ok = hessian_covariance(total, theta)
            ll = -float(total(theta)[0])
        if variant.natural is not None:
            theta, cov = variant.natural(theta, cov)
        return LikelihoodFit(variant, theta, ll, cov, converged, at_bounds, ok, n)

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(...) first")

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters (alias of ``params_``)."""
        self._check_fitted()
        return dict(self.params_)

    @property
    def log_likelihood(self) -> float:
        """Full log-likelihood at the optimum (alias of ``log_likelihood_``)."""
        self._check_fitted()
        return self.log_likelihood_

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors of the parameters (alias of ``standard_errors_``)."""
        self._check_fitted()
        return dict(self.standard_errors_)

    def summary(self) -> pd.DataFrame:
        """Parameter table of the form the fit kept (see ``variant_``): estimate, standard error, 95% Wald interval.

        Columns out: parameter, estimate, std_error, ci_lower, ci_upper.
        """
        self._check_fitted()
        names = list(self.params_)
        est = np.array([self.params_[k] for k in names])
        se = np.array([self.standard_errors_.get(k, np.nan) for k in names])
        return pd.DataFrame(
            {
                "parameter": names,
                "estimate": est,
                "std_error": se,
                "ci_lower": est - 1.959963984540054 * se,
                "ci_upper": est + 1.959963984540054 * se,
            }
        )

    def _fallback_warning(self, fit: LikelihoodFit, full: LikelihoodFit) -> FitWarning:  # pragma: no cover - per model
        raise NotImplementedError

    def _store(self, fit: LikelihoodFit, full: LikelihoodFit | None = None) -> None:
        """Store ``fit``; ``full`` is the full model's fit when ``fit`` is a limit it fell back to.

        A fallback is said by one :class:`FitWarning` (code ``fallback``, from
        the model's ``_fallback_warning``). On a parameter bound, or with a
        Hessian that is not positive definite, the standard errors are NaN and
        one :class:`FitWarning` says why.
        """
        names = fit.variant.names
        cov = fit.covariance
        if full is not None:
            warnings.warn(self._fallback_warning(fit, full), stacklevel=4)
        if fit.at_bounds:
            cov = np.full_like(cov, np.nan)
            limits = {m: ", ".join(k for k in fit.at_bounds if self._bound_meaning[k] == m) for m in self._bound_meaning.values()}
            limits = {m: params for m, params in limits.items() if params}
            meaning = "; ".join(LIMIT_MEANINGS[m] for m in limits)
            warnings.warn(
                FitWarning(
                    f"{self._label}: {', '.join(fit.at_bounds)} reached the search limit ({meaning}); "
                    "the estimates are limiting values and their standard errors are not available",
                    code="search_limit",
                    model=self._label,
                    limits=limits,
                ),
                stacklevel=4,
            )
        elif not fit.hessian_ok:
            warnings.warn(
                FitWarning(
                    f"{self._label}: the Hessian of the negative log-likelihood is not positive definite; standard errors are NaN",
                    code="no_standard_errors",
                    model=self._label,
                ),
                stacklevel=4,
            )
        with np.errstate(invalid="ignore"):
            se = np.sqrt(np.diag(cov))
        self.params_ = fit.params
        self.log_likelihood_ = fit.log_likelihood
        self.covariance_ = pd.DataFrame(cov, index=list(names), columns=list(names))
        self.standard_errors_ = {k: float(v) for k, v in zip(names, se, strict=True)}
        self.converged_ = fit.converged
        self.at_bounds_ = fit.at_bounds
        self.n_customers_ = int(fit.n)
        self.variant_ = fit.variant.code
        self.fallback_ = None if full is None else {"from": full.params, "log_likelihood": full.log_likelihood, "at_bounds": full.at_bounds}


def fall_back(full: LikelihoodFit, limit: LikelihoodFit, extra_params: int) -> bool:
    """Whether a fit on the search limit should give way to the limit model it runs towards.

    The full model's likelihood rises along a ridge towards a limit the box
    cannot reach (e.g. the Beta mixing distribution shrinking to one point);
    the limit model, with ``extra_params`` fewer parameters, is the end of that
    ridge. It is kept when it fits at least as well by Akaike's criterion:
    LL_full - LL_limit <= extra_params (Akaike 1974, IEEE Trans. Automatic
    Control 19(6)), so an end point on the limit that the data only reach by
    another way keeps the full fit and its search-limit note.
    """
    return full.log_likelihood - limit.log_likelihood <= extra_params


def by_value(x):
    """``(unique values, inverse index)`` of ``x``: terms that depend on x only are computed once per value."""
    return np.unique(x, return_inverse=True)
