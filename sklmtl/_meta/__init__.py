"""What the meta-estimators share (private): their base, the missing-label rule,
per-task parameters of groups, and the assembly of mixed-kind outputs.

Import from the submodules (``sklmtl._meta._base``, ...): this package's
``__init__`` imports nothing, so that :mod:`sklmtl.metrics` can use the
missing-label rule without an import cycle through the wrappers' base.
"""
