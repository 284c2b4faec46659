"""``python -m verification.appendix_b``: the claims of Appendix B (every module of this package)."""
from ..runner import main_for_module

if __name__ == "__main__":
    raise SystemExit(main_for_module(__package__))
