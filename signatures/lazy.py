"""Modules of this app that load pyHanko, pdfminer and fontTools, imported on first use.

Those libraries are about a second of every process's start-up, and the web application and the
API import the signing services at start (URLs → views → services) while most processes (most
`manage.py` commands, most requests of a worker) never sign or check a PDF. The standard library's
LazyLoader defers executing the module until one of its attributes is first read.
"""
import importlib.util
import sys


def module(name):
    """The module `name`, loaded when first used (the one already loaded, if it is)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    lazy = importlib.util.module_from_spec(spec)
    sys.modules[name] = lazy
    spec.loader.exec_module(lazy)
    return lazy
