"""The hypothesis settings of the fuzz tests, as profiles that are not loaded globally (the other tests of the
suite keep theirs)."""

import os

from hypothesis import HealthCheck, settings

# Small and reproducible by default (CI); ``FUZZ_PROFILE=fuzz-deep`` searches much further, at random.
settings.register_profile(
    "fuzz-ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile(
    "fuzz-deep",
    parent=settings.get_profile("fuzz-ci"),
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    derandomize=False,
    database=settings.default.database,
)


def fuzz_settings(**overrides) -> settings:
    """The settings of one fuzz test: the chosen profile (not loaded globally: other tests keep theirs)."""
    return settings(settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-ci")), **overrides)
