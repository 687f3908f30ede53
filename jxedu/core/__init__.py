"""Core: what every layer shares — paths, named errors, the input schema, settings, standards,
the :class:`~jxedu.core.dataset.Dataset`, coordinate conversions and the vocabulary.

Imports flow one way through the layers of jxedu::

    core → ingest → analysis → planning → present → publish → cli

A module may import from its own layer and the layers to its left, never to its right
(``tests/test_architecture.py`` holds this).
"""
