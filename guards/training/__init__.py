"""Build scripts for the guard's shipped data (names lists, the disclosure classifier). They run
offline from installed packages and write small files under `guards/`; nothing runs at import."""
