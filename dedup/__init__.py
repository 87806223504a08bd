"""dedup: find reprints of the same story in Chinese news corpora and report what each copy changed.

>>> from dedup import scan, report, Config
>>> result = scan(["seeds"])  # doctest: +SKIP
>>> [str(s) for w in result.groups[0].witnesses for s in w.segments]  # doctest: +SKIP
['seeds/001_d368fce8cd43ddb5.txt:3-55', 'seeds/002_9a75527b5092d3dd.txt:5-29', ...]
"""

__version__ = "0.1.0"

from dedup.collate.records import Collation, Finding, WitnessText
from dedup.collate.reference import collate
from dedup.config import CandidateConfig, Config, FingerprintConfig, GroupConfig, NormalizeConfig
from dedup.group.grouping import Group, Witness
from dedup.pipeline.report import Report, diff_texts, report
from dedup.pipeline.scan import ScanResult, scan

__all__ = [
    "CandidateConfig",
    "Collation",
    "Config",
    "Finding",
    "FingerprintConfig",
    "Group",
    "GroupConfig",
    "NormalizeConfig",
    "Report",
    "ScanResult",
    "Witness",
    "WitnessText",
    "__version__",
    "collate",
    "diff_texts",
    "report",
    "scan",
]
