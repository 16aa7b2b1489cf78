"""Who responds to development offers: observed response rates and a logistic response model (DOMAIN.md section 3.2)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from custlib.analysis.clv import one_blas_thread
from custlib.analysis.development.campaign import beta_binomial_interval
from custlib.analysis.development.common import (
    attach_customer_info,
    check_level,
    record_warnings,
    require,
    segment_label,
)
from custlib.analysis.development.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, customer_features, offer_features
from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError


def _outcomes_and_predictions(y_true, p_pred, n_bins: int, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and predicted probabilities as float arrays; DataError naming ``table`` unless equal in length and at least ``n_bins``."""
    y, p = np.asarray(y_true, dtype="float64"), np.asarray(p_pred, dtype="float64")
    if y.shape != p.shape or y.size < n_bins:
        raise DataError(f"{table}: need equal lengths and at least {n_bins} observations, got {y.size} and {p.size}")
    return y, p


def calibration_table(y_true, p_pred, *, n_bins: int = 10) -> pd.DataFrame:
    """Predicted against observed response rate by bin of predicted probability.

    Observations are sorted by predicted probability (stable) and cut into
    ``n_bins`` groups of equal size (``numpy.array_split``; the first groups
    take the remainder), the usual decile calibration table (Hosmer,
    Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd ed., section
    5.2.2).

    Parameters
    ----------
    y_true : array-like of 0/1
    p_pred : array-like of float
    n_bins : int

    Returns
    -------
    DataFrame
        -> bin (1 = lowest predictions), n, mean_predicted, observed_rate, responders.

    Raises
    ------
    DataError
        Lengths differ or fewer observations than bins.
    """
    y, p = _outcomes_and_predictions(y_true, p_pred, n_bins, "calibration_table")
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, n_bins)
    return pd.DataFrame(
        {
            "bin": np.arange(1, n_bins + 1),
            "n": [len(g) for g in groups],
            "mean_predicted": [float(p[g].mean()) for g in groups],
            "observed_rate": [float(y[g].mean()) for g in groups],
            "responders": [int(y[g].sum()) for g in groups],
        }
    )


def gains_table(y_true, p_pred, *, n_bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift by decile of predicted response.

    Customers are sorted from highest to lowest predicted probability
    (stable, so ties keep input order) and cut into ``n_bins`` equal
    groups; cumulative gain = share of all responders found in the top
    groups, lift = gain / share contacted (Berry & Linoff, *Data Mining
    Techniques*, 3rd ed., ch. 5, "cumulative gains and lift charts").

    Parameters
    ----------
    y_true, p_pred, n_bins
        As in :func:`calibration_table`.

    Returns
    -------
    DataFrame
        -> decile (1 = highest predictions), n, responders, response_rate,
        cum_share_contacted, cum_share_responders, cum_lift.

    Raises
    ------
    DataError
        Lengths differ, fewer observations than bins, or no responders.
    """
    y, p = _outcomes_and_predictions(y_true, p_pred, n_bins, "gains_table")
    if y.sum() <= 0:
        raise DataError("gains_table: no responders in y_true")
    order = np.argsort(-p, kind="stable")
    groups = np.array_split(order, n_bins)
    n = np.array([len(g) for g in groups])
    r = np.array([y[g].sum() for g in groups])
    share_c = np.cumsum(n) / y.size
    share_r = np.cumsum(r) / y.sum()
    return pd.DataFrame(
        {
            "decile": np.arange(1, n_bins + 1),
            "n": n,
            "responders": r.astype("int64"),
            "response_rate": r / n,
            "cum_share_contacted": share_c,
            "cum_share_responders": share_r,
            "cum_lift": share_r / share_c,
        }
    )


class ResponseModel:
    """Logistic response model for development offers (customer response analysis).

    Two fits of the same logit model, P(respond) = 1 / (1 + exp(-x'b))
    (Hosmer, Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd ed.,
    ch. 1-3): statsmodels' unpenalised ``Logit`` on all offers gives odds
    ratios exp(b) with Wald intervals an analyst can read; scikit-learn's
    ``LogisticRegression`` (standardised inputs, L2 penalty ``C``) fitted on
    a stratified training split gives the holdout AUC, calibration and gains
    tables, and refitted on all offers scores customers.

    Categorical features are one-hot coded against a reference level (given
    in ``reference``, else the most frequent level, ties by name); an odds
    ratio of a level is relative to that reference, one of a numeric feature
    is per unit (see :data:`FEATURE_DOCS`). Levels seen in fewer than
    ``min_level_count`` offers, or whose offers all had the same outcome,
    are pooled with the reference level: such sparse cells separate the
    data and have no finite maximum-likelihood estimate (Albert & Anderson
    1984, *Biometrika* 71(1); Hosmer, Lemeshow & Sturdivant, section 4.5).
    Levels first seen when predicting are treated as the reference too.

    Parameters
    ----------
    numeric : tuple of str
        Numeric feature columns.
    categorical : tuple of str
        Categorical feature columns.
    reference : dict, optional
        Reference level per categorical feature, e.g. ``{"channel": "email"}``.
    min_level_count : int
        Rarer categorical levels (and levels with one outcome only) are
        pooled with the reference level.
    test_size : float
        Holdout share (stratified on the response).
    seed : int
        Seed of the split.
    C : float
        Inverse L2 penalty of the scikit-learn model (``numpy.inf`` = none).
    interval : float
        Level of the odds-ratio intervals.
    n_bins : int
        Bins of the calibration and gains tables.
    max_iter : int
        Iteration limit of both fits.

    Attributes
    ----------
    columns_ : list of str
        Design columns (after one-hot coding), without the constant.
    dropped_ : list of str
        Design columns left out because they were constant or collinear.
    reference_ : dict
        Reference level of each categorical feature.
    levels_ : dict
        Levels kept (own column or reference) of each categorical feature.
    pooled_ : dict
        Rare levels pooled with the reference, per feature.
    odds_ratios_ : DataFrame
        feature, coef, std_err, odds_ratio, or_low, or_high, p_value.
    coef_ : Series
        statsmodels coefficients by design column ("const" included).
    auc_ : float
        Holdout ROC AUC.
    calibration_, gains_ : DataFrame
        Holdout tables (:func:`calibration_table`, :func:`gains_table`).
    estimator_ : sklearn Pipeline
        Scoring model fitted on all offers.
    default_channel_ : str or None
        Most frequent channel (used by :meth:`score` when no channel is given).
    n_offers_, response_rate_ : int, float
    warnings_ : list of str
        Warnings raised by the fits (recorded, not shown).
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = NUMERIC_FEATURES,
        categorical: tuple[str, ...] = CATEGORICAL_FEATURES,
        *,
        reference: dict | None = None,
        min_level_count: int = 10,
        test_size: float = 0.3,
        seed: int = 0,
        C: float = 1.0,
        interval: float = 0.95,
        n_bins: int = 10,
        max_iter: int = 200,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.reference = reference
        self.min_level_count = min_level_count
        self.test_size = test_size
        self.seed = seed
        self.C = C
        self.interval = interval
        self.n_bins = n_bins
        self.max_iter = max_iter

    # -- design
    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        parts = [X[list(self.numeric)].astype("float64").reset_index(drop=True)]
        for col in self.categorical:
            values = X[col].astype("string").fillna("unknown").astype("str").reset_index(drop=True)
            values = values.where(values.isin(self.levels_[col]), self.reference_[col])  # rare or unseen -> reference
            for level in self.levels_[col]:
                if level != self.reference_[col]:
                    parts.append(pd.Series((values == level).astype("float64"), name=f"{col}={level}"))
        design = pd.concat(parts, axis=1)
        return design.reindex(columns=self.columns_, fill_value=0.0)

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError("ResponseModel: call fit(X, y) before using the model")

    def fit(self, X: pd.DataFrame, y) -> ResponseModel:
        """Fit both models on offer-time features and responses.

        Parameters
        ----------
        X : DataFrame
            The ``numeric`` and ``categorical`` columns, e.g. from :func:`offer_features`.
        y : array-like of bool/0-1
            Responded.

        Returns
        -------
        self

        Raises
        ------
        DataError
            Missing feature columns, missing values, or y of another length.
        InsufficientDataError
            Fewer than 10 responders or non-responders, a holdout smaller than ``n_bins``, or a singular information matrix.
        ParamsError
            test_size not in (0, 1).
        """
        require(X, [*self.numeric, *self.categorical], "features")
        check_level(self.test_size, "test_size")
        check_level(self.interval, "interval")
        yv = self._responses(X, y)
        self._choose_levels(X, yv)
        with one_blas_thread():  # rank checks and fits on small matrices: BLAS threads would only wait on each other
            design = self._full_rank(self._design(X))
            self._fit_logit(design, yv)
            self._fit_scorer(design, yv)
        self.n_offers_ = int(yv.size)
        self.response_rate_ = float(yv.mean())
        self.default_channel_ = self.reference_.get("channel")
        return self

    def _responses(self, X: pd.DataFrame, y) -> np.ndarray:
        """``y`` as 0.0/1.0 after checking it and the numeric features; InsufficientDataError when too few of either outcome."""
        yv = pd.Series(y).astype("float64").to_numpy()
        if yv.size != len(X):
            raise DataError(f"y: expected {len(X)} responses, got {yv.size}")
        if np.isnan(yv).any() or not np.isin(yv, (0.0, 1.0)).all():
            raise DataError("y: expected responses coded true/false or 1/0 without missing values")
        num = X[list(self.numeric)].astype("float64")
        if not np.isfinite(num.to_numpy()).all():
            bad = [c for c in self.numeric if not np.isfinite(num[c]).all()]
            raise DataError(f"features: column(s) {bad} have missing or infinite values")
        n_pos, n_neg = int(yv.sum()), int((1 - yv).sum())
        if min(n_pos, n_neg) < 10 or round(self.test_size * yv.size) < self.n_bins:
            raise InsufficientDataError(
                f"offers: {n_pos} responders and {n_neg} non-responders among {yv.size} past offers; the response model "
                f"needs at least 10 of each, and at least {self.n_bins} offers in the holdout (test_size {self.test_size})",
                code="too_few_offer_outcomes",
                responders=int(n_pos),
                others=int(n_neg),
            )
        return yv

    def _choose_levels(self, X: pd.DataFrame, yv: np.ndarray) -> None:
        """Reference level (given, else the most frequent) and the levels kept per categorical feature; rare or one-outcome levels pooled."""
        self.levels_, self.reference_, self.pooled_ = {}, {}, {}
        for col in self.categorical:
            counts = X[col].astype("string").fillna("unknown").astype("str").value_counts()
            counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
            wanted = (self.reference or {}).get(col)
            if wanted is not None and wanted not in counts.index:
                raise ParamsError(f"reference: {wanted!r} is not a level of {col!r} (levels: {', '.join(sorted(counts.index))})")
            ref = str(wanted) if wanted is not None else str(counts.index[0])
            self.reference_[col] = ref
            values = X[col].astype("string").fillna("unknown").astype("str").to_numpy()
            pos = pd.Series(yv).groupby(values).sum()
            mixed = {str(lv) for lv in counts.index if 0 < pos.get(lv, 0) < counts[lv]}  # both outcomes seen
            self.levels_[col] = sorted(str(lv) for lv, n in counts.items() if (n >= self.min_level_count and str(lv) in mixed) or lv == ref)
            self.pooled_[col] = sorted(str(lv) for lv in counts.index if str(lv) not in self.levels_[col])
        self.columns_ = list(self.numeric) + [f"{c}={lv}" for c in self.categorical for lv in self.levels_[c] if lv != self.reference_[c]]

    def _full_rank(self, design: pd.DataFrame) -> pd.DataFrame:
        """``design`` without constant or collinear columns (each kept only if it adds rank), with warnings naming what went."""
        self.warnings_, self.dropped_ = [], []
        kept: list[str] = []
        base = np.ones((len(design), 1))
        for col in design.columns:
            trial = np.column_stack([base, design[kept + [col]].to_numpy()])
            if np.linalg.matrix_rank(trial) == trial.shape[1]:
                kept.append(col)
            else:
                self.dropped_.append(col)
        if self.dropped_:
            self.warnings_.append(f"design: dropped constant or collinear column(s) {', '.join(self.dropped_)}")
        for col, rare in self.pooled_.items():
            if rare:
                self.warnings_.append(
                    f"design: {col} level(s) {', '.join(rare)} seen in fewer than {self.min_level_count} offers "
                    f"or with one outcome only, pooled with {self.reference_[col]!r}"
                )
        self.columns_ = kept
        return design[self.columns_]

    def _fit_logit(self, design: pd.DataFrame, yv: np.ndarray) -> None:
        """The unpenalised logit by maximum likelihood (statsmodels): coefficients, odds ratios and their intervals."""
        import statsmodels.api as sm

        exog = sm.add_constant(design, has_constant="add")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = sm.Logit(yv, exog).fit(disp=0, maxiter=self.max_iter, method="newton")
            except np.linalg.LinAlgError as err:
                raise InsufficientDataError(
                    "offers: the response model cannot be estimated (singular information matrix: "
                    "some feature separates responders from non-responders); use fewer features or more offers",
                    code="separated_outcomes",
                ) from err
        record_warnings(caught, self.warnings_, "statsmodels Logit")
        ci = np.asarray(res.conf_int(alpha=1 - self.interval))
        with np.errstate(over="ignore"):  # a separated level has an infinite odds-ratio bound; shown as inf
            self.coef_ = pd.Series(np.asarray(res.params), index=exog.columns)
            self.odds_ratios_ = pd.DataFrame(
                {
                    "feature": exog.columns.astype("str"),
                    "coef": np.asarray(res.params),
                    "std_err": np.asarray(res.bse),
                    "odds_ratio": np.exp(np.asarray(res.params)),
                    "or_low": np.exp(ci[:, 0]),
                    "or_high": np.exp(ci[:, 1]),
                    "p_value": np.asarray(res.pvalues),
                }
            )
        self.sm_result_ = res

    def _fit_scorer(self, design: pd.DataFrame, yv: np.ndarray) -> None:
        """The L2-penalised scoring model (scikit-learn): holdout AUC, calibration and gains, then a fit on every offer."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        def _clf():
            return make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter))

        tr, te = train_test_split(np.arange(len(yv)), test_size=self.test_size, random_state=self.seed, stratify=yv)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            holdout = _clf().fit(design.iloc[tr].to_numpy(), yv[tr])
            p_te = holdout.predict_proba(design.iloc[te].to_numpy())[:, 1]
            self.estimator_ = _clf().fit(design.to_numpy(), yv)
        record_warnings(caught, self.warnings_, "scikit-learn LogisticRegression")
        self.auc_ = float(roc_auc_score(yv[te], p_te))
        self.holdout_ = pd.DataFrame({"responded": yv[te].astype(int), "p_response": p_te})
        self.calibration_ = calibration_table(yv[te], p_te, n_bins=self.n_bins)
        self.gains_ = gains_table(yv[te], p_te, n_bins=self.n_bins)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of response for each row of ``X`` (same columns as in fit).

        Parameters
        ----------
        X : DataFrame

        Returns
        -------
        ndarray of float

        Raises
        ------
        NotFittedError
            Called before :meth:`fit`.
        """
        self._check_fitted()
        require(X, [*self.numeric, *self.categorical], "features")
        design = self._design(X).to_numpy()
        with one_blas_thread():
            return self.estimator_.predict_proba(design)[:, 1]

    def score(
        self,
        customers: pd.DataFrame,
        transactions: pd.DataFrame,
        *,
        asof,
        channel: str | None = None,
        product_id: str | None = None,
        customer_col: str = "customer_id",
    ) -> pd.DataFrame:
        """Score every current customer for an offer made now.

        Unlike scikit-learn's ``score`` (a metric), this returns each
        customer's predicted response probability.

        Parameters
        ----------
        customers, transactions : DataFrame
            The region's customers and order lines.
        asof : date-like
            Scoring date (features use orders up to it).
        channel : str, optional
            Channel of the planned offer; default the most frequent in the fit.
        product_id : str, optional
            Product of the planned offer.
        customer_col : str
            Customer id column.

        Returns
        -------
        DataFrame
            customers, transactions -> customer_id, [name, size_band,
            market_type,] p_response, rank (1 = most likely), sorted by rank.

        Raises
        ------
        NotFittedError
            Called before :meth:`fit`.
        """
        self._check_fitted()
        ch = channel if channel is not None else (self.default_channel_ or "unknown")
        feats = customer_features(customers, transactions, asof=asof, channel=ch, product_id=product_id, customer_col=customer_col)
        out = attach_customer_info(feats[[customer_col]].assign(p_response=self.predict_proba(feats)), customers, customer_col)
        out = (
            out.sort_values([customer_col], kind="stable").sort_values("p_response", ascending=False, kind="stable").reset_index(drop=True)
        )
        return out.assign(rank=np.arange(1, len(out) + 1))


def fit_response_model(
    offers: pd.DataFrame,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    asof=None,
    test_size: float = 0.3,
    seed: int = 0,
    C: float = 1.0,
    interval: float = 0.95,
    n_bins: int = 10,
    min_level_count: int = 10,
    customer_col: str = "customer_id",
) -> ResponseModel:
    """Build offer-time features (:func:`offer_features`) and fit a :class:`ResponseModel`.

    Parameters
    ----------
    offers, customers, transactions : DataFrame
        Past offers (with ``responded``), customers and order lines.
    asof : date-like, optional
        Only offers on or before it are used.
    test_size, seed, C, interval, n_bins, min_level_count
        :class:`ResponseModel` settings.
    customer_col : str

    Returns
    -------
    ResponseModel
        Fitted.

    Raises
    ------
    DataError, InsufficientDataError
        As :func:`offer_features` and :meth:`ResponseModel.fit`.
    """
    require(offers, ["responded", "offer_date"], "offers")
    off = offers if asof is None else offers.loc[offers["offer_date"] <= pd.Timestamp(asof)]
    if off.empty:
        when = f" on or before {pd.Timestamp(asof):%Y-%m-%d}" if asof is not None else ""
        raise InsufficientDataError(
            f"offers: no past offers{when}; the response model needs at least 10 responders and 10 non-responders", code="no_offers"
        )
    if off["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")
    feats = offer_features(off, customers, transactions, customer_col=customer_col)
    model = ResponseModel(test_size=test_size, seed=seed, C=C, interval=interval, n_bins=n_bins, min_level_count=min_level_count)
    return model.fit(feats, feats["responded"].astype(bool))


def response_rates(
    offers: pd.DataFrame | None,
    customers: pd.DataFrame,
    *,
    by: tuple[str, ...] | list[str] = ("size_band",),
    asof=None,
    prior_alpha: float = 0.5,
    prior_beta: float = 0.5,
    interval: float = 0.9,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Observed response rate of past offers per customer group, with a credible interval.

    What the data say without a model: k responders out of n offers per group (customers grouped by ``by``), the raw rate k / n, and
    the equal-tailed interval of the Beta(prior_alpha + k, prior_beta + n - k) posterior (:func:`beta_binomial_interval`; Jeffreys
    prior by default, Brown, Cai & DasGupta 2001). It needs no minimum number of responders, so it is what a region with too few
    offers for the response model can still show. A last row ``"all offers"`` pools every group.

    Parameters
    ----------
    offers : DataFrame or None
        customer_id, offer_date, responded, response_revenue.
    customers : DataFrame
        customer_id and the ``by`` columns.
    by : list of str
        Customers columns defining the groups (e.g. the campaign's ``segment_by``).
    asof : date-like, optional
        Only offers on or before it count.
    prior_alpha, prior_beta, interval : float
        As in :func:`beta_binomial_interval`.
    customer_col : str

    Returns
    -------
    DataFrame
        offers, customers -> group, offers, responders, response_rate, rate_low, rate_high, avg_response_revenue (mean
        response_revenue of the responders, NaN when none); groups sorted by name, then "all offers".

    Raises
    ------
    InsufficientDataError
        No offers table or no offers on or before ``asof``.
    DataError
        A column is missing, ``responded`` has missing values, or an offer names an unknown customer.
    ParamsError
        ``by`` is empty, or a bad prior or interval.
    """
    by = list(by)
    if not by:
        raise ParamsError("by: expected at least one customers column")
    require(offers, [customer_col, "offer_date", "responded", "response_revenue"], "offers")
    require(customers, [customer_col, *by], "customers")
    off = offers if asof is None else offers.loc[offers["offer_date"] <= pd.Timestamp(asof)]
    if off.empty:
        when = f" on or before {pd.Timestamp(asof):%Y-%m-%d}" if asof is not None else ""
        raise InsufficientDataError(f"offers: no past offers{when} for these customers", code="no_offers")
    if off["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")
    frame = _offers_by_group(off, customers, by, customer_col)
    g = frame.groupby("group", sort=True)
    n = g.size()
    k = g["responded"].sum().astype("int64")
    rev = frame.loc[frame["responded"]].groupby("group")["revenue"].mean().reindex(n.index)
    post = beta_binomial_interval(k.to_numpy(), n.to_numpy(), prior_alpha=prior_alpha, prior_beta=prior_beta, level=interval)
    out = pd.DataFrame(
        {
            "group": n.index.astype("str"),
            "offers": n.to_numpy(dtype="int64"),
            "responders": k.to_numpy(),
            "response_rate": (k / n).to_numpy(dtype="float64"),
            "rate_low": post["lower"].to_numpy(),
            "rate_high": post["upper"].to_numpy(),
            "avg_response_revenue": rev.to_numpy(dtype="float64"),
        }
    )
    last = out["group"] == "all offers"
    return pd.concat([out.loc[~last], out.loc[last]], ignore_index=True)


def score_customers(model: ResponseModel, customers: pd.DataFrame, transactions: pd.DataFrame, *, asof, **options) -> pd.DataFrame:
    """:meth:`ResponseModel.score` as a function (a notebook step whose model may be unavailable).

    customers, order lines -> customer_id[, name, size_band, market_type], p_response, rank.
    """
    return model.score(customers, transactions, asof=asof, **options)


def _offers_by_group(off: pd.DataFrame, customers: pd.DataFrame, by: list, customer_col: str) -> pd.DataFrame:
    """Each offer's customer group, outcome and response revenue, once per group and once in ``"all offers"``."""
    cust = customers[[customer_col, *by]].assign(**{customer_col: customers[customer_col].astype("str")}).drop_duplicates(customer_col)
    group_of = cust.set_index(customer_col).pipe(lambda c: segment_label(c, by))
    frame = pd.DataFrame(
        {
            "group": off[customer_col].astype("str").map(group_of).to_numpy(),
            "responded": off["responded"].astype(bool).to_numpy(),
            "revenue": off["response_revenue"].astype("float64").to_numpy(),
        }
    )
    if frame["group"].isna().any():
        raise DataError(f"offers: {int(frame['group'].isna().sum())} offers name customers missing from customers")
    return pd.concat([frame, frame.assign(group="all offers")], ignore_index=True)
