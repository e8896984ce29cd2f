"""The statistics and the Markdown report of ``bench_label_noise.py``.

:func:`summarise` turns the runs (one per data set, noise setting and seed)
into, per group of data sets: per setting, the mean and a 95% Student-t
interval over seeds of each method's metrics and of their paired difference
with cleanlab; per method, the mean over settings, the number of settings
at least cleanlab's, the worst setting and time against cleanlab.
:func:`markdown` writes it out.
"""

import numpy as np
from _label_noise_data import DATASETS, GROUPS
from scipy.stats import t as student_t

METRICS = ("pr_auc", "precision_at_k")
STANDARD = "cleanlab[standard]"
HELDOUT_ONLY = ("heldout_consistency", "heldout_proba")


def interval(values) -> dict:
    """Mean and 95% Student-t interval (n - 1 degrees of freedom); one value: no
    interval (NaN bounds)."""
    values = np.asarray(values, float)
    mean = float(values.mean())
    if values.size < 2:
        return {"mean": mean, "lo": float("nan"), "hi": float("nan"), "n": 1}
    half = student_t.ppf(0.975, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "n": values.size}


def setting_label(row) -> str:
    return f"{row['dataset']} {row['noise']} {row['level']:.0%}"


def time_keys(method: str) -> list[str]:
    """The timed parts a method's ranking needed."""
    if "/" not in method:
        return [method]
    candidate, score = method.split("/", 1)
    parts = ["full"] if score not in HELDOUT_ONLY else []
    if "heldout" in score:
        parts.append("subsets")
    return [f"{candidate} {part}" for part in parts]


def per_setting(rows) -> dict:
    """For each method run in every seed: metrics and differences, over seeds."""
    methods = set.intersection(*(set(row["results"]) for row in rows))
    out = {}
    for method in sorted(methods):
        stats = {}
        for metric in METRICS:
            values = [row["results"][method][metric] for row in rows]
            own = [row["results"][row["reference"][method]][metric] for row in rows]
            standard = [row["results"][STANDARD][metric] for row in rows]
            stats[metric] = interval(values)
            stats[f"delta_{metric}"] = interval(np.subtract(values, own))
            stats[f"delta_standard_{metric}"] = interval(np.subtract(values, standard))
        stats["reference"] = rows[0]["reference"][method]
        out[method] = stats
    return out


def method_summary(method, settings: dict, rows) -> dict:
    """Over the settings where ``method`` ran: means, wins, worst, time ratio."""
    held = {label: stats[method] for label, stats in settings.items()
            if method in stats}  # fmt: skip
    summary: dict = {"settings": len(held)}
    for metric in METRICS:
        means = {label: s[metric]["mean"] for label, s in held.items()}
        deltas = {label: s[f"delta_{metric}"]["mean"] for label, s in held.items()}
        standard = [s[f"delta_standard_{metric}"]["mean"] for s in held.values()]
        worst = min(deltas, key=deltas.__getitem__)
        summary[metric] = float(np.mean(list(means.values())))
        summary[f"at_least_{metric}"] = sum(d >= 0 for d in deltas.values())
        summary[f"worst_{metric}"] = {"delta": deltas[worst], "setting": worst}
        summary[f"worst_standard_{metric}"] = float(min(standard))
    ran = [row for row in rows if method in row["results"]]
    spent = sum(row["seconds"].get(key, 0.0) for row in ran
                for key in time_keys(method))  # fmt: skip
    reference = sum(row["seconds"][row["reference"][method]] for row in ran)
    summary["time_ratio"] = spent / reference if spent else float("nan")
    return summary


def pruner_summary(rows) -> dict:
    out = {}
    for option in rows[0]["pruners"]:
        out[option] = {
            key: interval([row["pruners"][option][key] for row in rows])
            for key in ("precision", "recall")
        }
    return out


def summarise(rows) -> dict:
    """Per group: per-setting statistics, per-method summaries, pruner, time."""
    summary = {}
    for group in GROUPS:
        grouped = [row for row in rows if row["group"] == group]
        if not grouped:
            continue
        by_setting: dict[str, list] = {}
        for row in grouped:
            by_setting.setdefault(setting_label(row), []).append(row)
        settings = {label: per_setting(runs) for label, runs in by_setting.items()}
        methods = sorted(set().union(*(set(s) for s in settings.values())))
        entry: dict = {
            "settings": settings,
            "sizes": {
                label: [runs[0]["n"], runs[0]["k"]]
                for label, runs in by_setting.items()
            },  # fmt: skip
            "methods": {m: method_summary(m, settings, grouped) for m in methods},
        }
        if "default" in methods:
            entry["default_score"] = sorted({row["default_score"] for row in grouped})
            entry["pruners"] = {label: pruner_summary(runs)
                                for label, runs in by_setting.items()}  # fmt: skip
            entry["time"] = {
                label: {
                    "default": interval([r["seconds"]["default"] for r in runs]),
                    "cleanlab": interval(
                        [r["seconds"][r["reference"]["default"]] for r in runs]
                    ),
                    "ratio": interval(
                        [
                            r["seconds"]["default"]
                            / r["seconds"][r["reference"]["default"]]
                            for r in runs
                        ]
                    ),  # fmt: skip
                }
                for label, runs in by_setting.items()
            }
            entry["time_ratio"] = entry["methods"]["default"]["time_ratio"]
        memorised: dict[str, list] = {}
        for row in grouped:
            for name, value in row["memorised"].items():
                memorised.setdefault(name, []).append(value)
        entry["memorised"] = {name: float(np.mean(v)) for name, v in memorised.items()}
        summary[group] = entry
    return summary


# Markdown ----------------------------------------------------------------------------


def cell(stat, digits: int = 3, signed: bool = False) -> str:
    sign = "+" if signed else ""
    text = f"{stat['mean']:{sign}.{digits}f}"
    if np.isnan(stat["lo"]):
        return text
    return f"{text} [{stat['lo']:{sign}.{digits}f}, {stat['hi']:{sign}.{digits}f}]"


def columns_of(entry, detail: int) -> list[str]:
    """cleanlab (standardised), the default and its cleanlab, the best others."""
    methods = entry["methods"]
    shown = [STANDARD]
    if "default" in methods:
        reference = next(iter(entry["settings"].values()))["default"]["reference"]
        shown += [reference, "default"]
    others = sorted((m for m in methods if m not in shown and "/" in m),
                    key=lambda m: -methods[m]["pr_auc"])  # fmt: skip
    return list(dict.fromkeys(shown + others[:detail]))


def setting_table(entry, columns, key: str, signed: bool = False) -> list[str]:
    lines = ["| setting | n | k | " + " | ".join(columns) + " |",
             "|---|---|---|" + "---|" * len(columns)]  # fmt: skip
    for label, stats in entry["settings"].items():
        n, k = entry["sizes"][label]
        cells = [cell(stats[m][key], signed=signed) if m in stats else "-"
                 for m in columns]  # fmt: skip
        lines.append(f"| {label} | {n} | {k} | " + " | ".join(cells) + " |")
    return lines


def summary_table(entry) -> list[str]:
    lines = [
        "| method | settings | PR-AUC | precision@k | PR-AUC >= cleanlab "
        "| worst PR-AUC diff | precision@k >= cleanlab | worst precision@k diff "
        "| worst PR-AUC diff vs cleanlab[standard] | time / cleanlab |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    methods = entry["methods"]
    for method in sorted(methods, key=lambda m: -methods[m]["pr_auc"]):
        s = methods[method]
        worst = {m: f"{s[f'worst_{m}']['delta']:+.3f} ({s[f'worst_{m}']['setting']})"
                 for m in METRICS}  # fmt: skip
        lines.append(
            f"| {method} | {s['settings']} | {s['pr_auc']:.3f} "
            f"| {s['precision_at_k']:.3f} | {s['at_least_pr_auc']} "
            f"| {worst['pr_auc']} | {s['at_least_precision_at_k']} "
            f"| {worst['precision_at_k']} | {s['worst_standard_pr_auc']:+.3f} "
            f"| {s['time_ratio']:.2f} |"
        )
    return lines


def default_tables(entry) -> list[str]:
    options = list(next(iter(entry["pruners"].values())))
    lines = ["| setting | " + " | ".join(f"{o} precision | {o} recall"
                                          for o in options)
             + " | ranking's precision@k |",
             "|---|" + "---|---|" * len(options) + "---|"]  # fmt: skip
    for label, pruners in entry["pruners"].items():
        cells = [f"{cell(pruners[o]['precision'])} | {cell(pruners[o]['recall'])}"
                 for o in options]  # fmt: skip
        ranking = cell(entry["settings"][label]["default"]["precision_at_k"])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ranking} |")
    lines += ["", "| setting | default fit (s) | cleanlab CV (s) | ratio |",
              "|---|---|---|---|"]  # fmt: skip
    for label, times in entry["time"].items():
        lines.append(
            f"| {label} | {cell(times['default'], 1)} | {cell(times['cleanlab'], 1)} "
            f"| {cell(times['ratio'], 2)} |"
        )
    lines += ["", f"Overall (sum of the default's fits over the sum of cleanlab's "
              f"cross-validations): **{entry['time_ratio']:.2f}**."]  # fmt: skip
    return lines


def group_section(group: str, entry, detail: int) -> list[str]:
    columns = columns_of(entry, detail)
    lines = [
        f"## The {group} group",
        "",
        "### Summary over the settings",
        "",
        "Means over the settings of the per-setting means over seeds; diff: a "
        "method minus cleanlab on the same features (paired by seed), the "
        "worst setting's mean; time: the seconds its ranking took over "
        "cleanlab's cross-validation on the same features.",
        "",
        *summary_table(entry),
        "",
    ]
    if "default" in entry["methods"]:
        lines += [f"The default ranks by {', '.join(entry['default_score'])}.", ""]
    lines += [
        "### PR-AUC per setting (mean [95% interval] over seeds)", "",
        *setting_table(entry, columns, "pr_auc"), "",
        "### Precision at k per setting", "",
        *setting_table(entry, columns, "precision_at_k"), "",
        "### PR-AUC minus cleanlab's on the same features (paired by seed)", "",
        *setting_table(entry, columns[1:], "delta_pr_auc", signed=True), "",
        "### Precision at k minus cleanlab's on the same features", "",
        *setting_table(entry, columns[1:], "delta_precision_at_k", signed=True), "",
    ]  # fmt: skip
    if "pruners" in entry:
        lines += ["### The default pruner (amount = the noise level) and its time",
                  "", *default_tables(entry), ""]  # fmt: skip
    if entry["memorised"]:
        lines += ["### Flipped labels memorised (fraction predicted as the noisy "
                  "label at the last stage, mean over members, seeds, settings)", "",
                  "| ensemble | memorised |", "|---|---|",
                  *(f"| {name} | {value:.3f} |"
                    for name, value in entry["memorised"].items()), ""]  # fmt: skip
    return lines


def markdown(rows, summary: dict, settings: dict, *, detail: int = 4) -> str:
    groups = []
    for group in GROUPS:
        names = [f"{name} ({d.kind}{', run' if name in settings['datasets'] else ''})"
                 for name, d in DATASETS.items() if d.group == group]  # fmt: skip
        groups.append(f"- **{group}**: " + ", ".join(names))
    lines = [
        "# Finding flipped labels: the default and candidates against cleanlab",
        "",
        "Data sets by group: defaults are chosen on the *choose* group and only "
        "confirmed on the *confirm* group, never tuned on it.",
        "",
        *groups,
        "",
        f"Seeds per setting: {settings['seeds']} (each draws the flips and every "
        "model's random_state); candidates: "
        f"{', '.join(settings['candidates']) or 'none'}; methods: "
        f"{', '.join(settings['methods'])}; cleanlab: {settings['folds']}-fold "
        "stratified shuffled `cross_val_predict` of `MLPClassifier(hidden_layer_"
        f"sizes=(100,), max_iter={settings['cleanlab_epochs']})`, self-confidence, "
        "on the features of the method it is compared with (cleanlab[prep]); the "
        f"default's: cleanlab[{settings['default_features']}]. Wall time "
        f"{settings['wall_seconds']:.0f} s.",
        "",
    ]
    for group, entry in summary.items():
        lines += group_section(group, entry, detail)
    return "\n".join(lines)
