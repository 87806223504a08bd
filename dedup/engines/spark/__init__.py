"""The Spark engine (``--engine spark``): the embedded engine's stages on an Apache Spark cluster, giving the same
groups. pyspark is an optional extra (``pip install 'dedup[spark]'``); importing this package never needs it,
and calling the engine without it raises :class:`SparkUnavailableError` saying how to install it."""

from dedup.engines.spark.engine import report, scan, write_tables
from dedup.engines.spark.output import write_parquet
from dedup.engines.spark.session import SparkUnavailableError, parse_conf, session

__all__ = ["SparkUnavailableError", "parse_conf", "report", "scan", "session", "write_parquet", "write_tables"]
