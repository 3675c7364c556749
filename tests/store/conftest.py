import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request):
    """The same store test table runs against SQLite and a real PostgreSQL server."""
    return request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")
