"""Analysis: every computed fact of a data set, year and settings, as plain frames with English keys.

No module here draws, maps or speaks Chinese to a planner; :mod:`jxedu.present` does that.
"""
