"""Errors raised by the services; the web and API layers map them to HTTP status codes."""


class WorkflowError(Exception):
    status = 400

    def __init__(self, detail, errors=None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class Invalid(WorkflowError):
    """The data is wrong: 400, naming the fields."""

    status = 400


class Forbidden(WorkflowError):
    """This user may not do this: 403, with the reason."""

    status = 403


class NotFound(WorkflowError):
    status = 404


class WrongState(WorkflowError):
    """The document is not in a state that allows this: 409."""

    status = 409


class Conflict(WorkflowError):
    """Someone else changed the document first (stale version, parallel action): 409."""

    status = 409


class Unavailable(WorkflowError):
    """A needed service failed (e.g. the Word file could not be rendered); nothing was changed: 503."""

    status = 503
