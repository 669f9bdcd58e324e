"""Modules of this app that load pyHanko, pdfminer and fontTools, imported on first use.

Those libraries are about a second of every process's start-up, and the web application and the
API import the signing services at start (URLs → views → services), while most processes (most
`manage.py` commands, most requests of a worker) never sign or check a PDF.

Not the standard library's LazyLoader: before Python 3.12 it is not thread-safe (a second thread
reading an attribute while the first one loads the module gets an AttributeError), and gunicorn's
threads may well sign two documents at once. importlib.import_module takes the import lock.
"""
from importlib import import_module


class Deferred:
    """Stands for the module `name`, imported when one of its attributes is first read."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(import_module(self._name), attribute)

    def __repr__(self):
        return f"<deferred module {self._name}>"
