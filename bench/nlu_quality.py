"""NLU quality on the held-out sets: severity assessment and intent classification.

Usage (from the repository root):

    .venv/bin/python bench/nlu_quality.py [--model models/x.tar.gz] [--heldout tests/nlu]
                                          [--out bench/nlu_quality.json]

Loads a trained Rasa model in-process (no server), parses every example of every NLU
file under --heldout (a folder of Rasa YAML NLU files, or one file), and reports:

- severity: accuracy, per-level precision / recall / F1, confusion matrix (rows = true,
  columns = predicted), S0 recall; over the examples whose intent (or example) metadata
  names a severity;
- intent: accuracy and macro-F1 over all examples; macro-F1 averages the intents present
  in the held-out truth (a prediction of any other label, e.g. nlu_fallback, counts as
  a miss of the true intent);
- entities: precision / recall / F1 per entity type and over all, an extracted entity
  counting only when its type and character span match an annotation exactly; only
  over the files that annotate entities at all, since a file written without
  annotations (the severity set) would turn every correct extraction into a false
  positive;
- latency: per-message parse time, and the severity component's own time when it can
  be reached in the loaded graph;
- the evaluation set written apart from the project (`../shared/eval/`, skipped when
  absent): severity, stated levels, openings and questions (bench/shared_eval.py).

Prints a summary and writes everything, misclassified examples included, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LEVELS = ["S0", "S1", "S2", "S3"]
ENTITY_TYPES = ["severity", "environment", "email", "ticket_ref"]


def quiet_logs() -> None:
    """Keeps Rasa's and TensorFlow's per-message debug output off the report."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model archive (default: newest in models/)")
    parser.add_argument("--heldout", default=str(REPO / "tests" / "nlu"))
    parser.add_argument("--out", default=str(REPO / "bench" / "nlu_quality.json"))
    parser.add_argument(
        "--shared-eval",
        default=str(REPO.parent / "shared" / "eval"),
        help="the evaluation set written apart from the project (skipped when absent)",
    )
    return parser.parse_args(argv)


def newest_model(models_dir: Path) -> Path:
    archives = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives:
        sys.exit(f"no model archive in {models_dir}; train one or pass --model")
    return archives[-1]


def heldout_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
    if not files:
        sys.exit(f"no held-out YAML files under {path}")
    return files


def severity_label(metadata: Any) -> str | None:
    """The severity named in a training example's example- or intent-level metadata."""
    if not isinstance(metadata, dict):
        return None
    for scope in ("example", "intent"):
        scoped = metadata.get(scope)
        if isinstance(scoped, dict) and scoped.get("severity") is not None:
            return str(scoped["severity"]).upper()
    return None


def load_examples(files: Sequence[Path]) -> list[dict[str, Any]]:
    """Held-out examples as dicts: text, intent, severity (or None), annotated entity spans, file."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in files:
        for message in load_data(str(path)).training_examples:
            if not message.get("text"):
                continue
            examples.append(
                {
                    "text": message.get("text"),
                    "intent": message.get("intent"),
                    "severity": severity_label(message.get("metadata")),
                    "entities": spans(message.get("entities")),
                    "file": display(path),
                }
            )
    return examples


def spans(entities: Any) -> list[tuple[str, int, int]]:
    """(type, start, end) of each entity, the form annotations and extractions are compared in."""
    return [(e["entity"], e["start"], e["end"]) for e in entities or [] if "start" in e and "end" in e]


def display(path: Path) -> str:
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def load_agent(model_path: Path) -> Any:
    from rasa.core.agent import Agent

    with warnings.catch_warnings():  # library deprecation noise while loading
        warnings.simplefilter("ignore")
        return Agent.load(str(model_path))


def find_severity_component(agent: Any) -> Any | None:
    """The loaded SeverityAssessor, reached through the graph runner's nodes (private)."""
    try:
        nodes = agent.processor.graph_runner._instantiated_nodes
    except AttributeError:
        return None
    for node in nodes.values():
        component = getattr(node, "_component", None)
        if type(component).__name__ == "SeverityAssessor":
            return component
    return None


def parse_all(agent: Any, examples: list[dict[str, Any]]) -> list[float]:
    """Adds the parse result to each example; returns per-message parse times (ms)."""
    loop = asyncio.new_event_loop()
    times = []
    try:
        for ex in examples:
            start = time.perf_counter()
            parsed = loop.run_until_complete(agent.parse_message(ex["text"]))
            times.append((time.perf_counter() - start) * 1000)
            ex["predicted_intent"] = (parsed.get("intent") or {}).get("name")
            ex["intent_confidence"] = (parsed.get("intent") or {}).get("confidence")
            severity = parsed.get("severity")
            ex["predicted_severity"] = severity["name"] if severity else None
            ex["severity_confidence"] = severity["confidence"] if severity else None
            ex["cues"] = severity["cues"] if severity else None
            ex["predicted_entities"] = spans(parsed.get("entities"))
    finally:
        loop.close()
    return times


def parser(agent: Any) -> Any:
    """`text -> parse dict` with the loaded model, as `/model/parse` answers."""
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def time_component(component: Any, texts: Sequence[str], repeat: int = 5) -> list[float]:
    """Per-message times (ms) of SeverityAssessor.assess alone."""
    times = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            component.assess(text)
            times.append((time.perf_counter() - start) * 1000)
    return times


def latency_summary(times_ms: Sequence[float]) -> dict[str, float] | None:
    if not times_ms:
        return None
    ordered = sorted(times_ms)
    return {
        "n": len(ordered),
        "mean_ms": round(statistics.fmean(ordered), 4),
        "p50_ms": round(ordered[len(ordered) // 2], 4),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 4),
        "max_ms": round(ordered[-1], 4),
    }


def confusion(pairs: Sequence[tuple[str, Any]], labels: Sequence[str]) -> list[list[int]]:
    """Rows = true label, columns = predicted label (predictions outside labels dropped)."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, pred in pairs:
        if true in index and pred in index:
            matrix[index[true]][index[pred]] += 1
    return matrix


def per_label(pairs: Sequence[tuple[str, Any]], labels: Sequence[str]) -> dict[str, dict]:
    """Precision, recall, F1 and support of each label."""
    scores = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        predicted = sum(1 for _, p in pairs if p == label)
        support = sum(1 for t, _ in pairs if t == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    return scores


def accuracy(pairs: Sequence[tuple[str, Any]]) -> float | None:
    return round(sum(t == p for t, p in pairs) / len(pairs), 4) if pairs else None


def pick(example: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: example[k] for k in keys}


def severity_report(examples: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = [(e["severity"], e["predicted_severity"]) for e in examples if e["severity"]]
    scores = per_label(pairs, LEVELS)
    return {
        "n": len(pairs),
        "accuracy": accuracy(pairs),
        "s0_recall": scores["S0"]["recall"] if scores["S0"]["support"] else None,
        "per_level": scores,
        "confusion_matrix": {
            "labels": LEVELS,
            "rows_true_cols_predicted": confusion(pairs, LEVELS),
        },
        "errors": [
            pick(e, "text", "severity", "predicted_severity", "severity_confidence", "cues", "file")
            for e in examples
            if e["severity"] and e["severity"] != e["predicted_severity"]
        ],
    }


def intent_report(examples: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = [(e["intent"], e["predicted_intent"]) for e in examples if e["intent"]]
    labels = sorted({t for t, _ in pairs})
    scores = per_label(pairs, labels)
    macro_f1 = statistics.fmean(s["f1"] for s in scores.values()) if scores else None
    return {
        "n": len(pairs),
        "accuracy": accuracy(pairs),
        "macro_f1": round(macro_f1, 4) if macro_f1 is not None else None,
        "per_intent": scores,
        "errors": [
            pick(e, "text", "intent", "predicted_intent", "intent_confidence", "file")
            for e in examples
            if e["intent"] and e["intent"] != e["predicted_intent"]
        ],
    }


def entity_report(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Exact-span scores over the files with at least one entity annotation."""
    annotated = sorted({e["file"] for e in examples if e["entities"]})
    scored = [e for e in examples if e["file"] in annotated]
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in ENTITY_TYPES}
    errors = []
    for ex in scored:
        truth = {s for s in ex["entities"] if s[0] in counts}
        found = {s for s in ex["predicted_entities"] if s[0] in counts}
        for kind, matched in (("tp", truth & found), ("fp", found - truth), ("fn", truth - found)):
            for span in matched:
                counts[span[0]][kind] += 1
        if truth != found:
            errors.append(
                {
                    "text": ex["text"],
                    "missed": [list(s) for s in sorted(truth - found)],
                    "spurious": [list(s) for s in sorted(found - truth)],
                    "file": ex["file"],
                }
            )
    total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    return {
        "files": annotated,
        "n_examples": len(scored),
        "micro": prf(**total),
        "per_type": {t: prf(**c) for t, c in counts.items()},
        "errors": errors,
    }


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
    }


def print_summary(report: dict[str, Any]) -> None:
    sev, intent = report["severity"], report["intent"]
    print(f"model: {report['model']}")
    files = ", ".join(report["heldout_files"])
    print(f"held-out: {files} ({report['n_examples']} examples)")
    if sev["n"]:
        print(f"\nseverity  n={sev['n']}  accuracy={sev['accuracy']:.3f}  S0 recall={sev['s0_recall']}")
        header = "  ".join(f"{lvl:>5}" for lvl in LEVELS)
        print(f"           {header}   precision  recall")
        for lvl, row in zip(LEVELS, sev["confusion_matrix"]["rows_true_cols_predicted"], strict=False):
            s = sev["per_level"][lvl]
            cells = "  ".join(f"{v:>5}" for v in row)
            print(f"  true {lvl}  {cells}   {s['precision']:>9.3f}  {s['recall']:>6.3f}")
        for err in sev["errors"]:
            print(f"  {err['severity']}->{err['predicted_severity']} ({err['severity_confidence']}): {err['text']}")
    print(f"\nintent  n={intent['n']}  accuracy={intent['accuracy']}  macro-F1={intent['macro_f1']}")
    ent = report["entities"]
    print(f"\nentities  over {', '.join(ent['files'])}  micro-F1={ent['micro']['f1']}")
    for kind, s in ent["per_type"].items():
        print(f"  {kind:<12} P={s['precision']:.3f}  R={s['recall']:.3f}  F1={s['f1']:.3f}  n={s['support']}")
    for err in ent["errors"]:
        print(f"  missed {err['missed']} spurious {err['spurious']}: {err['text']}")
    lat = report["latency"]
    print(f"\nlatency: parse {lat['parse']}")
    print(f"         severity component {lat['severity_component']}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    model = Path(args.model).resolve() if args.model else newest_model(REPO / "models")
    files = heldout_files(Path(args.heldout).resolve())
    out = Path(args.out).resolve()
    os.chdir(REPO)  # custom components are imported relative to the project root
    sys.path.insert(0, str(REPO))
    quiet_logs()
    from bench import shared_eval

    examples = load_examples(files)
    agent = load_agent(model)
    parse_times = parse_all(agent, examples)
    component = find_severity_component(agent)
    texts = [e["text"] for e in examples]
    component_times = time_component(component, texts) if component else []
    report = {
        "model": str(model),
        "heldout_files": [display(f) for f in files],
        "n_examples": len(examples),
        "severity": severity_report(examples),
        "intent": intent_report(examples),
        "entities": entity_report(examples),
        "latency": {
            "parse": latency_summary(parse_times),
            "severity_component": latency_summary(component_times),
        },
        "shared_eval": shared_eval.report(parser(agent), model, Path(args.shared_eval)),
    }
    print_summary(report)
    shared_eval.print_summary(report["shared_eval"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
