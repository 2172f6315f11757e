"""One base class for errors a user can fix; the CLI prints them as one line."""


class RlvidError(Exception):
    """Bad input or a bad request: the message is one line naming what is wrong."""


class RlvidWarning(UserWarning):
    """Something the user should know that does not stop the work (a cache entry rebuilt);
    the CLI prints it as one ``rlvid: warning:`` line."""
