"""Damage saved model files the way disks, copies and downloads do, and load them.

Usage::

    python benchmarks/file_integrity.py [--n-files 300] [--seed 0]
                                        [--out benchmarks/results/file_integrity]

Fits one small ``MultiTaskNetClassifier`` (the multi-task digits, two tasks,
3 epochs, one torch thread), saves it with :func:`sklmtl.io.save`, and writes
``--n-files`` damaged copies, a third of each kind:

- ``bitflip``: 1 to 4 bits flipped at random places, each anywhere in the
  file or, half of the time, in its first ``8 + header length`` bytes (the
  header length, the JSON header with the metadata: a few kilobytes of a
  file of hundreds, which uniform places would almost never hit);
- ``truncate``: the tail cut off, from 1 byte up to all but the first 8;
- ``zeros``: a run of 1 to 256 bytes set to zero inside the tensor data.

Each copy is loaded with :func:`sklmtl.io.load` and sorted into one outcome:

- ``refused``: a ``ValueError``/``TypeError`` whose message says the file is
  damaged (or not an sklmtl file);
- ``refused-unnamed``: a ``ValueError``/``TypeError`` that does not say so;
- ``loaded-identical``: it loaded, and ``predict`` and ``predict_proba`` on
  every digit are exactly the original's (a damage that changed nothing read,
  e.g. zeros written over zeros: ``unchanged_copies`` counts the copies
  whose bytes are all the original's);
- ``loaded-different``: it loaded and predicts differently (the silent
  failure this guards against; the target is 0);
- ``other-error``: any other exception.

Prints a table (kind x outcome) and writes ``results.json`` into ``--out``
with the counts, the versions and, per outcome and kind, how many times
each message was given (safetensors' parser detail elided).
"""

import argparse
import collections
import re
import struct
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_results

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.io import FORMAT_VERSION, load, save

KINDS = ("bitflip", "truncate", "zeros")
OUTCOMES = (
    "refused",
    "refused-unnamed",
    "loaded-identical",
    "loaded-different",
    "other-error",
)
# What a refusal must say: the file is damaged, or not an sklmtl file at all.
NAMED = ("is damaged", "or a damaged one", "or it is damaged")


def damage(raw, kind, rng):
    """A damaged copy of the bytes ``raw``."""
    data = bytearray(raw)
    (header_length,) = struct.unpack("<Q", raw[:8])
    if kind == "bitflip":
        for _ in range(rng.randint(1, 5)):
            end = 8 + header_length if rng.rand() < 0.5 else len(data)
            position = rng.randint(end)
            data[position] ^= 1 << rng.randint(8)
    elif kind == "truncate":
        data = data[: len(data) - rng.randint(1, len(data) - 8)]
    else:
        start = 8 + header_length
        run = rng.randint(1, 257)
        offset = rng.randint(start, len(data) - run + 1)
        data[offset : offset + run] = bytes(run)
    return bytes(data)


def outcome(path, original, X):
    """Load ``path`` and sort the result into one of :data:`OUTCOMES`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = load(path)
            same = np.array_equal(model.predict(X), original.predict(X)) and all(
                np.array_equal(p, q)
                for p, q in zip(model.predict_proba(X), original.predict_proba(X))
            )
    except (ValueError, TypeError) as exc:
        message = str(exc)
        return (
            "refused" if any(n in message for n in NAMED) else "refused-unnamed"
        ), message
    except Exception as exc:
        return "other-error", f"{type(exc).__name__}: {exc}"
    return ("loaded-identical" if same else "loaded-different"), ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/file_integrity")
    )
    args = parser.parse_args()
    torch.set_num_threads(1)

    X, Y = load_multitask_digits(return_X_y=True)
    model = MultiTaskNetClassifier(max_epochs=3, random_state=args.seed).fit(X, Y)
    rng = np.random.RandomState(args.seed)
    counts = {kind: collections.Counter() for kind in KINDS}
    unchanged = collections.Counter()
    messages = collections.defaultdict(
        lambda: collections.defaultdict(collections.Counter)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        save(model, path)
        raw = path.read_bytes()
        copy = Path(folder) / "damaged.safetensors"
        for index in range(args.n_files):
            kind = KINDS[index % len(KINDS)]
            damaged = damage(raw, kind, rng)
            unchanged[kind] += damaged == raw
            copy.write_bytes(damaged)
            result, message = outcome(copy, model, X)
            counts[kind][result] += 1
            if message:
                # Without the path and safetensors' parser detail (which
                # names a byte position): how the file was refused.
                message = re.sub(
                    r"safetensors file: .*\), or it",
                    "safetensors file: ...), or it",
                    message.replace(str(copy), "FILE"),
                )
                messages[result][kind][message] += 1

    width = max(map(len, OUTCOMES)) + 2
    print(f"{'kind':<10}" + "".join(f"{o:>{width}}" for o in OUTCOMES))
    for kind in KINDS:
        print(f"{kind:<10}" + "".join(f"{counts[kind][o]:>{width}}" for o in OUTCOMES))
    totals = {o: sum(counts[k][o] for k in KINDS) for o in OUTCOMES}
    print(f"{'total':<10}" + "".join(f"{totals[o]:>{width}}" for o in OUTCOMES))

    args.out.mkdir(parents=True, exist_ok=True)
    write_results(
        args.out / "results.json",
        "multitask digits (1797 x 64, two tasks), MultiTaskNetClassifier, 3 epochs",
        [
            {
                "kind": kind,
                **{o: counts[kind][o] for o in OUTCOMES},
                "unchanged_copies": unchanged[kind],
            }
            for kind in KINDS
        ],
        command=(
            f"python benchmarks/file_integrity.py --n-files {args.n_files} "
            f"--seed {args.seed} --out {args.out}"
        ),
        format_version=FORMAT_VERSION,
        file_bytes=len(raw),
        totals=totals,
        messages=messages,
    )
    print(f"wrote {args.out / 'results.json'}")
    return 1 if totals["loaded-different"] or totals["other-error"] else 0


if __name__ == "__main__":
    sys.exit(main())
