"""TEST FIXTURE: a toy service written only from the skeleton, step by step as in the
"Make a new service" walk-through of doc/developing.md (tests/unit/common/
test_skeleton_walkthrough.py runs it).  A real service puts these modules in ``<svc>/``."""
