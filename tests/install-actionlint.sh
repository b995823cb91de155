#!/usr/bin/env bash
# actionlint (used by tests/test_workflows.py); filled in by the workflow tests' setup.
exit 0
