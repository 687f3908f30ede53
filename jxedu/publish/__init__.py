"""Publish: batch PDF reports, the progress ledger (台账) and the notebook runner."""
