"""Train on 2 CPU ranks; launched by tests/test_scale_out.py with torch.distributed.run.

Usage: python -m torch.distributed.run --standalone --nproc_per_node 2 \
    tests/ddp_train.py OUT_DIR
"""

import json
import sys
from pathlib import Path


def problem():
    from sklmtl.datasets import make_multitask_classification

    X, Y = make_multitask_classification(
        n_samples=256, n_features=8, n_tasks=2, n_classes=[2, 3], random_state=0
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


def main(out_dir):
    import torch
    from accelerate import Accelerator

    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    accelerator = Accelerator(cpu=True)
    rank = accelerator.process_index
    X, Y = problem()
    for weighting in ("equal", "uncertainty"):
        clf = AcceleratedMultiTaskNetClassifier(
            accelerator=accelerator,
            task_weighting=weighting,
            batch_size=PER_RANK_BATCH,
            **PARAMS,
        ).fit(X, Y)
        state = {f"module.{k}": v for k, v in clf.net_.module_.state_dict().items()}
        state |= {
            f"criterion.{k}": v for k, v in clf.net_.criterion_.state_dict().items()
        }
        torch.save(state, Path(out_dir) / f"{weighting}_rank{rank}.pt")
        history = [
            {k: v for k, v in row.items() if k != "batches"} for row in clf.history_
        ]
        (Path(out_dir) / f"{weighting}_rank{rank}.json").write_text(
            json.dumps({"world": accelerator.num_processes, "history": history})
        )


if __name__ == "__main__":
    main(sys.argv[1])
