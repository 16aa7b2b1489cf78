"""Customer clusters: k-means on standardised behaviour, k chosen by silhouette.

Sources: Lloyd (1982) and scikit-learn's :class:`~sklearn.cluster.KMeans`;
silhouette: Rousseeuw, P. J. (1987) J. Comput. Appl. Math. 20, 53-65; fitting
on a sample and assigning the rest to the nearest centre: Sculley, D. (2010)
"Web-scale k-means clustering", WWW '10, 1177-1178.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import DEFAULTS, count_text, param_name, require_columns
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import InsufficientDataError, NotFittedError, ParamsError

CLUSTER_WORDS = {
    "revenue": ("large", "small"),
    "gross_profit": ("profitable", "low-profit"),
    "orders": ("frequent", "occasional"),
    "avg_order_value": ("big-ticket", "small-ticket"),
    "n_categories": ("broad", "narrow"),
    "category_share": ("broad", "narrow"),
    "recency_days": ("lapsed", "recently active"),
    "margin": ("high-margin", "low-margin"),
    "growth": ("growing", "shrinking"),
    "tenure_days": ("long-standing", "new"),
}


LOG_FEATURES = ("revenue", "orders", "avg_order_value", "gross_profit", "n_categories")


def cluster_matrix(frame: pd.DataFrame, features) -> pd.DataFrame:
    """Features as clustered: log1p for money and counts (clipped at 0), NaN -> column median."""
    require_columns(frame, list(features), "customer features")
    X = frame[list(features)].astype("float64")
    for c in X.columns:
        if c in LOG_FEATURES:
            X[c] = np.log1p(X[c].clip(lower=0))
        med = X[c].median()
        X[c] = X[c].fillna(0.0 if pd.isna(med) else med)
    return X


def cluster_traits(z: pd.Series, *, threshold: float = 0.5, max_traits: int = 3) -> tuple[tuple[str, str], ...]:
    """What sets a cluster apart, as codes: ``(feature, "high" | "low")`` for each feature whose mean
    z-score has |z| >= ``threshold``, strongest first, at most ``max_traits`` (none: an average cluster).

    z-scores -> traits; :mod:`custlib.present.segmentation` words them.
    """
    picked = z[z.abs() >= threshold]
    picked = picked.reindex(picked.abs().sort_values(ascending=False, kind="stable").index)[:max_traits]
    return tuple((str(feat), "high" if val > 0 else "low") for feat, val in picked.items())


def describe_cluster(z: pd.Series, *, threshold: float = 0.5, max_words: int = 3) -> str:
    """Words for a cluster from its mean z-scores, e.g. ``"large, frequent, broad buyers"``.

    Features whose |z| >= threshold are named, strongest first, by the word
    pair in the module's table (``high <feature>`` / ``low <feature>`` for
    others); none -> ``"average buyers"``.
    """
    picked = z[z.abs() >= threshold]
    picked = picked.reindex(picked.abs().sort_values(ascending=False, kind="stable").index)[:max_words]
    words = []
    for feat, val in picked.items():
        hi, lo = CLUSTER_WORDS.get(feat, (f"high {feat}", f"low {feat}"))
        w = hi if val > 0 else lo
        if w not in words:
            words.append(w)
    return (", ".join(words) if words else "average") + " buyers"


CLUSTER_FIT_SAMPLE = 20_000
"""Above this many customers :class:`CustomerClusters` fits k-means on a seeded random
sample of this size and assigns everyone to the nearest centre (``fit_sample``)."""


CLUSTER_SEARCH_N_INIT = 3
"""k-means restarts per k while choosing k on a fit sample (``search_n_init``); the chosen
k is then refitted with the full ``n_init``."""


class CustomerClusters:
    """k-means segments on standardised behavioural features, k by silhouette.

    A scikit-learn ``Pipeline(StandardScaler, KMeans)`` is fitted for each k
    in ``[k_min, k_max]`` (seeded, ``n_init`` fixed) and the k with the
    highest mean silhouette is kept (ties -> smaller k; Rousseeuw 1987). The
    default range starts at 3 because on skewed customer data the silhouette
    usually prefers k = 2, "active" against "lapsed", which tells a manager
    nothing new. When
    there are more than ``silhouette_sample`` customers the silhouette is
    computed on a seeded random sample of that size
    (``silhouette_score(sample_size=..., random_state=...)``). Money and
    count features are log1p-transformed first. Clusters are numbered
    1..k by descending mean revenue (then size, then KMeans label), so
    labels are the same across identical runs.

    Large regions (more than ``fit_sample`` customers): the features are
    standardised on every customer, then k is chosen and the centres are
    fitted on a seeded random sample of ``fit_sample`` customers (drawn with
    ``numpy.random.default_rng(random_state)`` from the id-sorted customers,
    so the same customers give the same sample in any row order): each k is
    tried with ``search_n_init`` restarts (at most ``n_init``), the chosen k
    is refitted on the sample with ``n_init`` restarts, and every customer
    is assigned to the nearest centre (``predict``); profiles, z-scores and
    the numbering by revenue are then computed on every customer. k-means
    centres are means, so a random sample estimates each with a standard
    error of about sd / sqrt(sampled customers of the cluster): a cluster
    with 100 or more customers in the sample is placed to within about a
    tenth of a standard deviation, well inside the spread the clusters
    describe (the argument behind fitting k-means on random samples:
    Bradley, P. S. & Fayyad, U. M. 1998, "Refining initial points for
    k-means clustering", ICML, 91-99; Sculley, D. 2010, "Web-scale k-means
    clustering", WWW '10, 1177-1178). The silhouette is then computed on
    ``silhouette_sample`` customers of the fit sample. ``fit_sample=None``
    fits on everyone; regions of up to ``fit_sample`` customers are fitted
    exactly as without sampling.

    k-means and the silhouette run single-threaded (``threadpoolctl``): the
    runner already runs one region per core, and OpenMP threads competing
    for the same cores made the fits 10 to 40 times slower when measured.

    Parameters
    ----------
    features : sequence of str
        Columns of the customer frame to cluster on.
    k_min, k_max : int
    n_init : int
        k-means restarts per k (on a sample: of the final fit).
    random_state : int
        Seed of k-means, the fit sample and the silhouette sample.
    silhouette_sample : int
    fit_sample : int or None
        Fit on a random sample of this many customers when there are more
        (at least 100); None never samples.
    search_n_init : int
        k-means restarts per k while choosing k on a fit sample.

    Attributes
    ----------
    k_ : int
    silhouette_ : Series
        Mean silhouette per k tried.
    pipeline_ : sklearn Pipeline
    labels_ : Series
        Cluster number (1..k) per customer.
    profiles_ : DataFrame
        Per cluster: customers, mean of each raw feature, description.
    zscores_ : DataFrame
        Per cluster: mean standardised feature.
    n_customers_ : int
        Customers clustered.
    n_fit_ : int
        Customers the centres were fitted on (``n_customers_`` unless sampled).
    n_silhouette_ : int
        Customers the silhouette was computed on.
    """

    def __init__(
        self,
        features=tuple(DEFAULTS["clusters"]["features"]),
        k_min: int = 3,
        k_max: int = 8,
        n_init: int = 10,
        random_state: int = 42,
        silhouette_sample: int = 2000,
        fit_sample: int | None = CLUSTER_FIT_SAMPLE,
        search_n_init: int = CLUSTER_SEARCH_N_INIT,
    ):
        self.features = features
        self.k_min = k_min
        self.k_max = k_max
        self.n_init = n_init
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample
        self.fit_sample = fit_sample
        self.search_n_init = search_n_init

    def _kmeans(self, k: int, n_init: int):
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=k, n_init=n_init, random_state=self.random_state)

    def _check_params(self) -> None:
        if not (isinstance(self.k_min, int) and isinstance(self.k_max, int) and 2 <= self.k_min <= self.k_max):
            raise ParamsError(
                f"{param_name('clusters.k_min')}/{param_name('clusters.k_max')}: expected 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}"
            )
        fs = self.fit_sample
        if fs is not None and (isinstance(fs, bool) or not isinstance(fs, int) or fs < 100):
            raise ParamsError(f"{param_name('clusters.fit_sample')}: expected a whole number of customers >= 100 or None, got {fs!r}")
        sn = self.search_n_init
        if isinstance(sn, bool) or not isinstance(sn, int) or sn < 1:
            raise ParamsError(f"{param_name('clusters.search_n_init')}: expected a whole number of restarts >= 1, got {sn!r}")

    def fit(self, frame: pd.DataFrame) -> CustomerClusters:
        """Fit on a per-customer frame (index = customer_id).

        Raises
        ------
        ParamsError
            Bad k range, fit sample or restarts.
        InsufficientDataError
            Fewer than 3 customers, or fewer than 2 distinct customers.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.metrics import silhouette_score
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        self._check_params()
        X = cluster_matrix(frame, self.features).sort_index(kind="stable")
        n = len(X)
        n_distinct = len(X.drop_duplicates())
        if n < 3 or n_distinct < 2:
            raise InsufficientDataError(
                f"clusters need at least 3 customers who buy in at least 2 different ways; "
                f"found {count_text(n, 'customer')}, {n_distinct} distinct",
                code="clusters_too_alike",
                found=n,
                distinct=n_distinct,
            )
        sampled = self.fit_sample is not None and n > self.fit_sample
        scaler = StandardScaler().fit(X)
        Z = scaler.transform(X)
        if sampled:
            rows = np.sort(np.random.default_rng(self.random_state).choice(n, self.fit_sample, replace=False))
            Z_fit = Z[rows]
            n_fit, n_distinct = len(rows), len(np.unique(Z_fit, axis=0))
            search_n_init = min(self.search_n_init, self.n_init)
        else:
            Z_fit, n_fit, search_n_init = Z, n, self.n_init
        ks = range(self.k_min, min(self.k_max, n_fit - 1, n_distinct) + 1)
        if len(ks) == 0:
            raise InsufficientDataError(
                f"clusters: {n} customers are too few for {self.k_min} or more groups", code="too_few_for_clusters", found=n, k=self.k_min
            )
        sample = self.silhouette_sample if n_fit > self.silhouette_sample else None
        scores, fitted = {}, {}
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            for k in ks:
                km = self._kmeans(k, search_n_init).fit(Z_fit)
                labels = km.labels_
                if len(np.unique(labels)) < 2:
                    continue
                scores[k] = float(silhouette_score(Z_fit, labels, sample_size=sample, random_state=self.random_state))
                fitted[k] = km
            if not scores:
                raise InsufficientDataError(
                    "clusters: no k in the range split the customers into 2 or more groups", code="clusters_not_separated"
                )
            best = max(scores.values())
            self.k_ = min(k for k, s in scores.items() if s >= best - 1e-12)
            km = fitted[self.k_]
            if sampled and self.n_init > search_n_init:
                km = self._kmeans(self.k_, self.n_init).fit(Z_fit)
            self.pipeline_ = Pipeline([("scale", scaler), ("kmeans", km)])
            raw = km.predict(Z) if sampled else km.labels_
        self.silhouette_ = pd.Series(scores, name="silhouette").rename_axis("k")
        self.n_customers_, self.n_fit_ = n, n_fit
        self.n_silhouette_ = sample if sample is not None else n_fit
        self._label(frame, X, Z, raw)
        return self

    def _label(self, frame: pd.DataFrame, X: pd.DataFrame, Z: np.ndarray, raw: np.ndarray) -> None:
        """Number the fitted clusters by mean revenue (1 = highest) and set ``labels_``, ``zscores_``, ``profiles_``."""
        n = len(X)
        raw = pd.Series(raw, index=X.index)
        revenue = frame["revenue"].reindex(X.index) if "revenue" in frame.columns else X.iloc[:, 0]
        stats = pd.DataFrame({"rev": revenue.groupby(raw).mean(), "size": raw.value_counts()})
        stats["raw"] = stats.index
        order = stats.sort_values(["rev", "size", "raw"], ascending=[False, False, True], kind="stable").index
        mapping = {int(old): new for new, old in enumerate(order, start=1)}
        self.label_map_ = mapping
        self.labels_ = raw.map(mapping).astype("int64").rename("cluster").reindex(frame.index)
        Z = pd.DataFrame(Z, index=X.index, columns=X.columns)
        self.zscores_ = Z.groupby(self.labels_.reindex(X.index)).mean().rename_axis("cluster")
        raw_means = frame[list(self.features)].reindex(X.index).groupby(self.labels_.reindex(X.index)).mean()
        prof = raw_means.rename_axis("cluster")
        prof.insert(0, "customers", self.labels_.value_counts().sort_index())
        prof.insert(1, "customer_share", prof["customers"] / n)
        prof["description"] = [describe_cluster(self.zscores_.loc[c]) for c in prof.index]  # English, for logs
        prof["traits"] = [cluster_traits(self.zscores_.loc[c]) for c in prof.index]
        self.profiles_ = prof

    def _check(self):
        if not hasattr(self, "labels_"):
            raise NotFittedError("CustomerClusters is not fitted yet; call fit(features) first")

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Cluster numbers (1..k, the numbering of ``labels_``) for customers in ``frame``."""
        self._check()
        raw = self.pipeline_.predict(cluster_matrix(frame, self.features))
        return pd.Series([self.label_map_[int(r)] for r in raw], index=frame.index, name="cluster", dtype="int64")

    def sampling_note(self) -> str:
        """The caveat a report states when the fit or the silhouette used a sample ('' when neither did)."""
        self._check()
        parts = []
        if self.n_fit_ < self.n_customers_:
            parts.append(
                f"clusters fitted on a random sample of {self.n_fit_:,} of the {self.n_customers_:,} customers who have ordered; "
                "the others join the nearest cluster"
            )
        if self.n_silhouette_ < self.n_fit_:
            parts.append(f"silhouette computed on a random sample of {self.n_silhouette_:,} customers")
        return "; ".join(parts)


def cluster_customers(data: pd.DataFrame, **settings) -> CustomerClusters:
    """Fit :class:`CustomerClusters` on the buyers of ``data`` (from :func:`customer_features`).

    ``settings`` are the ``clusters`` parameters (features, k_min, k_max,
    n_init, silhouette_sample, and optionally fit_sample and search_n_init)
    and ``random_state``. features -> fitted model.
    """
    buyers = require_buyers(data, "clusters", minimum=3)
    return CustomerClusters(**{**DEFAULTS["clusters"], **settings}).fit(buyers)
