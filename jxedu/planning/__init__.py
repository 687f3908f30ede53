"""Planning: layout scenarios (what-if edits re-evaluated) and location optimisation.

``scenario_file`` (the YAML format) → ``assignment`` (the capacity-constrained LP and its context,
shared) → ``scenarios`` (edits resolved, children re-assigned, the changed tables re-assessed) →
``optimize`` (site suggestions, closure ranking). Frames have English keys and codes; the Chinese
tables, sentences, map and widget are in :mod:`jxedu.present.scenarios` and :mod:`jxedu.present.widgets`.
"""
