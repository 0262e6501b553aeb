"""Fixtures shared across test packages: the PostgreSQL server (see ``tests/postgres_server``).

Hypothesis profiles: the default one, and ``mutation`` for mutation testing
(``--hypothesis-profile=mutation``, set in ``[tool.mutmut]``), where every test runs under
coverage tracing beside other mutants, so generation is slow and timing says nothing.
"""

from hypothesis import HealthCheck, settings

from tests.postgres_server import fresh_schema, postgres_url

settings.register_profile(
    "mutation",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

__all__ = ["fresh_schema", "postgres_url"]
