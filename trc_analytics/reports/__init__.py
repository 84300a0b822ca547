"""The three reports: section builders, the notebooks' helpers, rendering to offline HTML.

Importing this package first keeps report kernels quick to start (see `_fastimport`).
"""

from trc_analytics.reports._fastimport import skip_slow_optional_imports

skip_slow_optional_imports()
