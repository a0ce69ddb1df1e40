"""Import layers: read from the source, so a new module is covered too.

- No import of the project's own code hides in a `try:` (an app that "may be
  missing" is a layering bug, not an optional feature).
- Checkout's UI (views, API) sits above payments; payments sits above
  checkout's domain (models, services, selectors…), which never imports
  payments. Between the two apps imports are plain, at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("market", "traceability", "farmer", "cms", "tests", "bench")
CHECKOUT = ROOT / "market" / "checkout"
PAYMENTS = ROOT / "market" / "payments"
# Checkout modules that may import payments: the pages and the API.
CHECKOUT_UI = {"views.py", "api.py", "api_urls.py", "urls.py"}


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def _imports(path: Path, *, module_level_only: bool = False) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else ast.walk(tree)
    return [name for node in nodes for name in _imported(node)]


def _is_project(name: str) -> bool:
    return name.split(".")[0] in PROJECT


def test_no_project_import_is_wrapped_in_try():
    found = []
    for folder in PROJECT:
        for path in _sources(ROOT / folder):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Try):
                    continue
                for statement in node.body:
                    for inner in ast.walk(statement):
                        found += [
                            f"{path.relative_to(ROOT)}:{inner.lineno} {name}"
                            for name in _imported(inner)
                            if _is_project(name)
                        ]
    assert found == []


def test_checkout_domain_never_imports_payments():
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(CHECKOUT)
        if path.name not in CHECKOUT_UI or path.parent != CHECKOUT
        for name in _imports(path)
        if name.startswith("market.payments")
    ]
    assert found == []


def test_payments_never_imports_checkout_ui():
    ui = {f"market.checkout.{name.removesuffix('.py')}" for name in CHECKOUT_UI}
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(PAYMENTS)
        for name in _imports(path)
        if name in ui
    ]
    assert found == []


def test_checkout_and_payments_import_each_other_at_module_level_only():
    found = []
    for folder, other in ((CHECKOUT, "market.payments"), (PAYMENTS, "market.checkout")):
        for path in _sources(folder):
            anywhere = [n for n in _imports(path) if n.startswith(other)]
            at_top = [
                n for n in _imports(path, module_level_only=True) if n.startswith(other)
            ]
            if len(anywhere) != len(at_top):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_nothing_below_the_farmer_area_imports_it():
    """`farmer` sits on top (beside cms): market and traceability never
    import it; cms only mounts its URLs."""
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("market", "traceability", "cms")
        for path in _sources(ROOT / folder)
        if path != ROOT / "cms" / "urls.py"
        for name in _imports(path)
        if name.split(".")[0] == "farmer"
    ]
    assert found == []


TICKETS = ROOT / "market" / "tickets"
# The one place market reaches traceability: tickets' signed codes reuse the
# QR key rules and signature (codes.py) and its page draws the QR (views.py).
# What checkout and market's pages import from tickets (models, offers) does
# not import them, so the core never loads traceability through tickets.
TICKETS_ABOVE_TRACEABILITY = {"codes.py", "views.py"}


def test_only_tickets_codes_and_pages_reach_traceability_from_market():
    found = []
    for path in _sources(ROOT / "market"):
        if path.parent == TICKETS and path.name in TICKETS_ABOVE_TRACEABILITY:
            continue
        found += [
            f"{path.relative_to(ROOT)}: {name}"
            for name in _imports(path)
            if name.split(".")[0] == "traceability"
        ]
    assert found == []


def test_checkout_reads_only_the_tickets_models():
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(CHECKOUT)
        for name in _imports(path)
        if name.startswith("market.tickets") and name != "market.tickets.models"
    ]
    assert found == []
