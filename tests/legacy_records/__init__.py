"""The loading code as it stood before typed Parquet loading (issue 13), kept as the oracle.

`read.py`, `validate.py` and `load.py` are copies of `trc_analytics.records` at the commit
before the change: every Parquet column turned into text and cast back, every CSV cell cast
from text. `tests/records/test_typed_loading.py` loads the same files through both and requires
the same typed frames and the same problems, so the fast path is held to the old results.
Reading, validation and the identifier scan are copied; the schema and the problem helpers
are shared (they did not change).
"""
