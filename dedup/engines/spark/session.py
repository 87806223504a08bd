"""The Spark session: started on demand, and a clear message (never a traceback) when Spark cannot be had.

pyspark is an optional extra (``pip install 'dedup[spark]'``) and Spark 4 needs Java 17; either missing is a
:class:`SparkUnavailableError` whose message says what to install, which the CLI turns into exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL = "pip install 'dedup[spark]'"

#: Settings that suit dedup's jobs unless the caller says otherwise: few shuffle partitions (a local run's
#: jobs are small; a cluster sets its own), no web UI, Python workers reused across tasks (numba's
#: compiled kernels load once per worker, not once per task), and one numba thread per Python worker: Spark
#: already runs a task per core, and the boilerplate kernels' own threads on top of that oversubscribe the
#: cores (a 2,000-article scan on ``local[2]`` took 204 s with them, 74 s without).
DEFAULTS: dict[str, str] = {
    "spark.sql.shuffle.partitions": "8",
    "spark.default.parallelism": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.python.worker.reuse": "true",
    "spark.executorEnv.NUMBA_NUM_THREADS": "1",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
}


class SparkUnavailableError(RuntimeError):
    """Spark cannot run here: pyspark is not installed, or Java cannot be started. The message says what to do."""


def require_pyspark() -> None:
    """Raise :class:`SparkUnavailableError` unless pyspark can be imported."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailableError(
            f"the Spark engine needs pyspark (and Java 17): {INSTALL}, and on Debian "
            "apt-get install openjdk-17-jre-headless"
        ) from exc


def session(master: str = "local[*]", conf: Mapping[str, str] | None = None) -> SparkSession:
    """The active Spark session, or a new one on ``master`` with ``conf`` over :data:`DEFAULTS`.

    Raises:
        SparkUnavailableError: pyspark is missing or the JVM does not start (no Java 17).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    if master.startswith("local"):  # local workers run this interpreter (its environment has dedup's dependencies)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    builder = SparkSession.builder.master(master).appName("dedup")
    for key, value in {**DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # py4j raises a bare RuntimeError/OSError when the JVM cannot start
        raise SparkUnavailableError(
            f"Spark did not start on {master}: {exc}. Spark 4 needs Java 17 "
            "(Debian: apt-get install openjdk-17-jre-headless; or set JAVA_HOME)"
        ) from exc


def parse_conf(pairs: list[str]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` options as a mapping.

    >>> parse_conf(["spark.executor.memory=512m"])
    {'spark.executor.memory': '512m'}

    Raises:
        ValueError: an option without ``=``.
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--spark-conf takes KEY=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out
