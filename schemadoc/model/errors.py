"""The one exception the command line turns into a clean ``error:`` line (exit 2)."""


class UserError(Exception):
    """A problem with the input, settings or templates that the user can fix."""
