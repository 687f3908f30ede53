"""Planning: layout scenarios (what-if edits re-evaluated) and location optimisation."""
