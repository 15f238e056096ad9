"""How the benchmark tables summarise repeated runs (numpy only, no torch).

Every table reports ``mean +- std`` over seeds with the *sample* standard
deviation (``ddof=1``): with 2-3 seeds the population formula understates the
spread by 18-29%. A single run shows its value alone. The best cell of a row
(or column) is bolded by its mean as displayed, so ties at the shown precision
are all bolded.
"""

import numpy as np


def mean_std(values, scale=1.0):
    """Mean and sample standard deviation (NaN std for fewer than 2 values)."""
    values = np.asarray(values, dtype=float) * scale
    if len(values) == 0:
        return float("nan"), float("nan")
    std = values.std(ddof=1) if len(values) > 1 else float("nan")
    return float(values.mean()), float(std)


def fmt_stat(values, scale=1.0, digits=1):
    """``"mean +- std"`` over seeds, the value alone for one run, ``n/a`` for none."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return "n/a"
    mean, std = mean_std(values, scale)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} +- {std:.{digits}f}"


def bold_best(cells, means, digits=1, higher_is_better=True):
    """Bold the cells whose displayed mean is the best; NaN means never win.

    Parameters
    ----------
    cells : list of str
        The formatted cells of one row or column ("" for no run).
    means : list of float
        Their means on the displayed scale (NaN for none).
    digits : int, default=1
        Decimals shown: means equal after rounding tie.
    higher_is_better : bool, default=True
        Whether the largest or the smallest mean is best.

    Returns
    -------
    cells : list of str
        The same cells, the best ones wrapped in ``**``.
    """
    rounded = [round(m, digits) if np.isfinite(m) else None for m in means]
    finite = [r for r in rounded if r is not None]
    if not finite:
        return list(cells)
    best = max(finite) if higher_is_better else min(finite)
    return [f"**{c}**" if r == best else c for c, r in zip(cells, rounded)]
