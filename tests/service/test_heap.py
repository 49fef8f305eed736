import gc
import weakref

from lks.service import heap


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_freeze_keeps_objects_out_of_the_scans_settle_collects_a_replaced_models_cycles_and_thaw_undoes_it():
    try:
        node = Node()
        gone = weakref.ref(node)
        heap.settle(replaced=False)
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert gone() is not None  # frozen: a full collection leaves the cycle alone
        heap.settle(replaced=True)
        assert gone() is None and gc.get_freeze_count() > 0  # collected, the rest frozen again
    finally:
        heap.thaw()
    assert gc.get_freeze_count() == 0
