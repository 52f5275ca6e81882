"""Unit tests (no engine). A package, so that test modules may share a basename with
tests/engine/ (test_doctor.py in both) under pytest's default import mode."""
