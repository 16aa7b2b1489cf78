"""Maximum likelihood machinery shared by the lifetime value models.

Fits maximise the log-likelihood with L-BFGS-B over log-parameters from
several starting points, with time (spend) rescaled by the model so that the
largest T is 10 (the mean spend is 1) and every parameter kept in [1e-4, 1e4]
on that scale; a parameter that ends on that box means the data show no
spread or no dropout, and the fit says so (``at_bounds_`` and a
:class:`FitWarning` with a code). Standard errors come from the inverse of
the Hessian of the negative log-likelihood at the optimum (the observed
information; e.g. Pawitan (2001), *In All Likelihood*, section 2.5), taken in
the natural parameters by central finite differences of the analytic gradient.
"""

from __future__ import annotations

import contextlib
import functools
import warnings

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
    (model) and ``search_limit`` (model; limits: a key of :data:`LIMIT_MEANINGS`
    -> the parameters on the limit with that meaning, e.g. ``{"extreme_dropout": "a, b"}``).
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


class FittedModel:
    """Base of the models: their settings, the likelihood fit and scikit-learn style access to fitted attributes.

    A subclass sets ``_param_names``, ``_label`` (the model's name, e.g.
    ``"BG/NBD"``), ``_bound_meaning`` (parameter -> a code of
    :data:`LIMIT_MEANINGS`, what it means that the parameter ends on the
    search limit) and ``_scale_param`` (the position of the parameter in the
    unit of the data, which the fit rescales); its ``fit`` checks the data and
    calls :meth:`_check_settings` and :meth:`_fit_likelihood`.

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

    def _fit_likelihood(self, ll_terms, data: tuple, scaled: tuple, scale: float, starts) -> None:
        """Maximise the log-likelihood ``ll_terms`` and store the fit, BLAS on one thread.

        ``ll_terms(theta, *data)`` returns the per-customer log-likelihood and
        its gradient (one row per parameter). The maximum is searched on
        ``scaled``, the data with time or spend divided by ``scale``, from the
        first ``n_starts`` of ``starts`` (on that scale, see
        :func:`maximise_likelihood`); the parameter at ``_scale_param`` is then
        multiplied by ``scale``, and the log-likelihood and standard errors
        are taken on ``data`` (:meth:`_finish_fit`).
        """
        n = len(data[0])

        def neg_ll_grad(theta):  # mean over customers on the fitting scale: the optimiser's tolerance means the same for any n
            ll, grad = ll_terms(theta, *scaled)
            return -ll.sum() / n, -grad.sum(axis=1) / n

        def total(theta):
            ll, grad = ll_terms(theta, *data)
            return -ll.sum(), -grad.sum(axis=1)

        with one_blas_thread():
            theta, converged, at_bounds = maximise_likelihood(neg_ll_grad, starts[: self.n_starts], self._param_names, self.tol)
            theta[self._scale_param] *= scale
            self._finish_fit(theta, converged, at_bounds, total, n)

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
        """Parameter table: estimate, standard error, 95% Wald interval.

        Columns out: parameter, estimate, std_error, ci_lower, ci_upper.
        """
        self._check_fitted()
        est = np.array([self.params_[k] for k in self._param_names])
        se = np.array([self.standard_errors_[k] for k in self._param_names])
        return pd.DataFrame(
            {
                "parameter": list(self._param_names),
                "estimate": est,
                "std_error": se,
                "ci_lower": est - 1.959963984540054 * se,
                "ci_upper": est + 1.959963984540054 * se,
            }
        )

    def _finish_fit(self, theta, converged, at_bounds, total, n) -> None:
        """Store the fit: LL and Hessian standard errors at ``theta`` (natural units).

        ``total(theta)`` returns the full negative LL and its gradient. On a
        parameter bound, or with a Hessian that is not positive definite, the
        standard errors are NaN and one :class:`FitWarning` says why.
        """
        names = self._param_names
        cov, se, ok = hessian_covariance(total, theta)
        if at_bounds:
            cov, se = np.full_like(cov, np.nan), np.full_like(se, np.nan)
            limits = {m: ", ".join(k for k in at_bounds if self._bound_meaning[k] == m) for m in self._bound_meaning.values()}
            limits = {m: params for m, params in limits.items() if params}
            meaning = "; ".join(LIMIT_MEANINGS[m] for m in limits)
            warnings.warn(
                FitWarning(
                    f"{self._label}: {', '.join(at_bounds)} reached the search limit ({meaning}); "
                    "the estimates are limiting values and their standard errors are not available",
                    code="search_limit",
                    model=self._label,
                    limits=limits,
                ),
                stacklevel=4,
            )
        elif not ok:
            warnings.warn(
                FitWarning(
                    f"{self._label}: the Hessian of the negative log-likelihood is not positive definite; standard errors are NaN",
                    code="no_standard_errors",
                    model=self._label,
                ),
                stacklevel=4,
            )
        self.params_ = {k: float(v) for k, v in zip(names, theta, strict=True)}
        self.log_likelihood_ = -float(total(theta)[0])
        self.covariance_ = pd.DataFrame(cov, index=list(names), columns=list(names))
        self.standard_errors_ = {k: float(v) for k, v in zip(names, se, strict=True)}
        self.converged_ = converged
        self.at_bounds_ = at_bounds
        self.n_customers_ = int(n)


def by_value(x):
    """``(unique values, inverse index)`` of ``x``: terms that depend on x only are computed once per value."""
    return np.unique(x, return_inverse=True)
