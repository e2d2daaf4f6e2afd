"""Paper tables, reproduced: ``python -m ganzoo.reproduce TABLE`` (``--list`` names them).

Each table trains what it needs (or loads a published preset), scores it with the paper's
protocol and writes ``reports/TABLE.md`` with ganzoo's numbers beside the paper's, the exact
commands, seeds, wall times and pictures. Runs resume where they stopped; ``--quick`` runs a
reduced version (for tests) into ``runs/reproduce/TABLE_quick``, its report into
``runs/reproduce/reports``.
"""

from ganzoo.reproduce.core import ReproduceError, Run, Table, reproduce

TABLES = {}


def register(table_class):
    TABLES[table_class.name] = table_class()
    return table_class


def _register_all():
    from ganzoo.reproduce import acgan_table, goodfellow, mode_collapse, ssgan_table, stacked_mnist

    for cls in (goodfellow.GoodfellowParzen, mode_collapse.ModeCollapse,
                stacked_mnist.StackedMNIST, ssgan_table.SSGANTable, acgan_table.ACGANTable):
        register(cls)


_register_all()

__all__ = ["TABLES", "ReproduceError", "Run", "Table", "register", "reproduce"]
