"""The network estimators' base: parameters, fit and fitted state (private)."""
