"""Train on 2 CPU ranks; launched by tests/test_scale_out.py with torch.distributed.run.

Usage: python -m torch.distributed.run --standalone --nproc_per_node 2 \
    tests/ddp_train.py OUT_DIR
"""

import json
import sys
from pathlib import Path


def problem(n_samples=256):
    from sklmtl.datasets import make_multitask_classification

    X, Y = make_multitask_classification(
        n_samples=n_samples, n_features=8, n_tasks=2, n_classes=[2, 3], random_state=0
    )
    return X.astype("float32"), Y


PARAMS = dict(
    hidden_layer_sizes=(16,),
    lr=0.01,
    max_epochs=3,
    random_state=0,
    iterator_train__shuffle=False,
)
PER_RANK_BATCH = 16
# Each run: (rows, estimator parameters over PARAMS). With early stopping,
# 320 rows hold out 32 (one global batch), and at lr=0.03 the validation loss
# is lowest at epoch 3 of 5: the best weights are restored after DDP training.
RUNS = {
    "equal": (256, dict(task_weighting="equal")),
    "uncertainty": (256, dict(task_weighting="uncertainty")),
    "early_stopping": (
        320,
        dict(
            lr=0.03,
            max_epochs=20,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=2,
        ),
    ),
}


def main(out_dir):
    import torch
    from accelerate import Accelerator

    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    accelerator = Accelerator(cpu=True)
    rank = accelerator.process_index
    for name, (n_samples, params) in RUNS.items():
        X, Y = problem(n_samples)
        clf = AcceleratedMultiTaskNetClassifier(
            accelerator=accelerator,
            batch_size=PER_RANK_BATCH,
            **{**PARAMS, **params},
        ).fit(X, Y)
        state = {f"module.{k}": v for k, v in clf.net_.module_.state_dict().items()}
        state |= {
            f"criterion.{k}": v for k, v in clf.net_.criterion_.state_dict().items()
        }
        torch.save(state, Path(out_dir) / f"{name}_rank{rank}.pt")
        history = [
            {k: v for k, v in row.items() if k != "batches"} for row in clf.history_
        ]
        stopper = dict(clf.net_.callbacks_).get("early_stopping")
        (Path(out_dir) / f"{name}_rank{rank}.json").write_text(
            json.dumps(
                {
                    "world": accelerator.num_processes,
                    "history": history,
                    "best_epoch": None if stopper is None else stopper.best_epoch_,
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1])
