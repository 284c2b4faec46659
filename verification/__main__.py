"""``python -m verification``: re-check every claim of the paper (see :func:`verification.runner.main`)."""
from .runner import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m verification"))
