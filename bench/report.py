"""The markdown table of a benchmark run (bench/results.md, and the README's copy of it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"

Getter = Callable[[dict[str, Any]], float | None]

LOAD_FIGURES = (
    ("p50 per turn", "ms", "p50_ms"),
    ("p95 per turn", "ms", "p95_ms"),
    ("p99 per turn", "ms", "p99_ms"),
    ("throughput", "messages/s", "messages_per_second"),
    ("server CPU per turn", "ms", "server_cpu_ms_per_turn"),
)
LOAD_ROWS: tuple[tuple[str, Getter], ...] = tuple(
    (f"{label}, {users} user{'s' if users > 1 else ''} ({unit})", lambda b, u=str(users), k=key: b["load"][u][k])
    for users in (1, 20)
    for label, unit, key in LOAD_FIGURES
)
COST_ROWS: tuple[tuple[str, Getter], ...] = (
    ("errors (all phases)", lambda b: sum(phase["errors"] for phase in b["load"].values())),
    ("training (s)", lambda b: b["training_seconds"]),
    ("cold start to first answer (s)", lambda b: b["cold_start_seconds"]),
    ("RSS Rasa server after load (MiB)", lambda b: b["rss_mib"]["rasa"]),
    ("RSS action server after load (MiB)", lambda b: b["rss_mib"]["actions"]),
    ("RSS total (MiB)", lambda b: b["rss_mib"]["total"]),
)


def markdown(results: dict[str, Any]) -> str:
    """Ours next to the baseline with ratios, then NLU quality, tickets and the machine."""
    ours, base = results["ours"], results["baseline"]
    lines = [
        f"Measured {results['measured_at']} on {results['machine']['summary']}; load average "
        f"{results['machine']['load_average_at_start'][0]} at the start, {results['machine']['load_average_at_end'][0]} "
        "at the end (other work on the machine slows every latency figure; server CPU per turn hardly moves).",
        "",
        "| | ours | `rasa init` baseline | ours / baseline |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, get in LOAD_ROWS + COST_ROWS:
        lines.append(f"| {label} | {_fmt(get(ours))} | {_fmt(get(base))} | {_ratio(get(ours), get(base))} |")
    tickets = ours["tickets"]
    nlu = results["nlu"]
    lines += [
        "",
        f"Tickets created / expected: {tickets['created']} / {tickets['expected']} "
        f"({ours['load']['1']['conversations_planned']} by 1 user, "
        f"{ours['load']['20']['conversations_planned']} by 20 users, {tickets['warm_up']} warm-up).",
        "",
        "| NLU on the held-out files (tests/nlu) | |",
        "| --- | ---: |",
        f"| intent accuracy / macro F1 (n={nlu['intent']['n']}) | {nlu['intent']['accuracy']:.3f} / "
        f"{nlu['intent']['macro_f1']:.3f} |",
        f"| severity accuracy (n={nlu['severity']['n']}) | {nlu['severity']['accuracy']:.3f} |",
        f"| S0 recall | {nlu['severity']['s0_recall']:.3f} |",
    ]
    for kind, scores in nlu["entities"]["per_type"].items():
        lines.append(f"| entity F1 {kind} (n={scores['support']}) | {scores['f1']:.3f} |")
    lines.append(f"| entity F1 all types (micro) | {nlu['entities']['micro']['f1']:.3f} |")
    labels = nlu["severity"]["confusion_matrix"]["labels"]
    lines += ["", "Severity confusion (rows: true, columns: predicted):", ""]
    lines.append("| | " + " | ".join(labels) + " |")
    lines.append("| --- |" + " ---: |" * len(labels))
    for label, row in zip(labels, nlu["severity"]["confusion_matrix"]["rows_true_cols_predicted"], strict=False):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    if nlu.get("shared_eval"):
        lines += shared_eval_lines(nlu["shared_eval"])
    return "\n".join(lines) + "\n"


def shared_eval_lines(shared: dict[str, Any]) -> list[str]:
    """The evaluation set written apart from the project (../shared/eval), never trained on."""
    severity, openings = shared["severity"], shared["openings"]
    lines = [
        "",
        "| On the evaluation set written apart from the project (../shared/eval) | |",
        "| --- | ---: |",
    ]
    for name, part in (("severity", severity), ("openings, level reached", openings)):
        s0 = part["per_level"]["S0"]
        lines += [
            f"| {name} accuracy (n={part['n']}) | {part['accuracy']:.3f} |",
            f"| {name}: S0 precision / recall | {_fmt(s0['precision'])} / {_fmt(s0['recall'])} |",
            f"| {name}: errors to an adjacent level / further | {part['adjacent_errors']} / {part['far_errors']} |",
        ]
    lines += [
        f"| stated levels read (n={shared['stated']['n']}) | {shared['stated']['read_share']:.3f} |",
        f"| questions answered with the right facts (n={shared['questions']['n']}) | {shared['questions']['share']:.3f} |",
        "",
        "Severity on the evaluation set (rows: true, columns: predicted):",
        "",
    ]
    labels = severity["confusion_matrix"]["labels"]
    lines.append("| | " + " | ".join(labels) + " |")
    lines.append("| --- |" + " ---: |" * len(labels))
    for label, row in zip(labels, severity["confusion_matrix"]["rows_true_cols_predicted"], strict=False):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def replace_block(document: str, block: str) -> str | None:
    """`document` with the text between the README markers replaced, or None without markers."""
    start, end = document.find(README_START), document.find(README_END)
    if start < 0 or end < start:
        return None
    return document[: start + len(README_START)] + "\n" + block + document[end:]


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"


def _ratio(ours: float | None, base: float | None) -> str:
    return f"{ours / base:.2f}" if ours is not None and base else "–"
