"""Input functions and constants of the ranking, evaluation and report rules."""

RANKERS = ["combined", "fib", "total_retweets", "followers"]
EXPERT_DOMAIN_LISTS = ["lin_pc1", "iffy_plus"]  # the source_credibility registry entry
DOMAIN_RANKERS = ["predicted", "labelled"]


def reviews_file(wildcards):
    """The dataset's reviews CSV (config ranking.reviews, '{dataset}' filled in) when it exists."""
    pattern = config["ranking"].get("reviews")
    if not pattern:
        return []
    path = pattern.format(dataset=wildcards.dataset)
    return [path] if os.path.exists(path) else []


def reviews_db_file(wildcards):
    """The review desk's verdict database (config ranking.reviews_db, '{dataset}' filled in) when it exists."""
    pattern = config["ranking"].get("reviews_db")
    if not pattern:
        return []
    path = pattern.format(dataset=wildcards.dataset)
    return [path] if os.path.exists(path) else []


def has_domain_eval(dataset):
    """Datasets with URLs to rank: the registry's 'domain' task (ratings: Lin et al. / Iffy+, or the
    dataset's own domain ratings where its adapter ships them, e.g. the simulator's domain truth)."""
    entry = REGISTRY[dataset]
    if "domain" not in entry.get("tasks", []):
        return False
    return traits(dataset).domain_lists is not None or "source_credibility" in REGISTRY


def domain_lists(dataset):
    """The rating lists a dataset's domain ranking is evaluated against."""
    return list(traits(dataset).domain_lists or EXPERT_DOMAIN_LISTS)


def own_domain_lists():
    """The own rating lists of the configured datasets that ship them (one set: the ``domain_eval_own_ratings``
    rule declares them as outputs), or [] when none does."""
    found = sorted({traits(d).domain_lists for d in DATASETS if traits(d).domain_lists is not None})
    if len(found) > 1:
        raise WorkflowError(f"datasets ship different own domain rating lists {found}: run them in separate configs")
    return list(found[0]) if found else []


OWN_DOMAIN_LISTS = own_domain_lists()


def ranking_metric_files(dataset):
    """The two-window and domain evaluation files of a dataset (inputs of its report)."""
    files = [f"results/{dataset}/metrics/rank__two_window__{r}.json" for r in RANKERS]
    if has_domain_eval(dataset):
        files += [
            f"results/{dataset}/metrics/domains__{lst}__{r}.json"
            for lst in domain_lists(dataset)
            for r in DOMAIN_RANKERS
        ]
    return files


def ratings_inputs(wildcards):
    if traits(wildcards.dataset).domain_lists is not None:
        return [f"results/{wildcards.dataset}/canonical/domains.parquet"]
    try:
        files = resolve_files("source_credibility", REGISTRY["source_credibility"], DATA_ROOT)
    except DatasetNotAvailable as error:
        raise WorkflowError(f"domain evaluation of {wildcards.dataset} needs the rating lists: {error}")
    return [str(p) for p in files.values()]
