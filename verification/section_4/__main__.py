"""``python -m verification.section_4``: the claims of Section 4 (every module of this package)."""
from ..runner import main_for_module

if __name__ == "__main__":
    raise SystemExit(main_for_module(__package__))
