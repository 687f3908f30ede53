"""Ingest: read the bureau's files, check them against the schema, and load a
:class:`~jxedu.core.dataset.Dataset` (plus the blank templates and the synthetic demo data set).
"""
